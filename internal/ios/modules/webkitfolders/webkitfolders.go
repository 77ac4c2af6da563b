// Package webkitfolders owns the WebKit website-data folders of apps
// (IndexedDB, LocalStorage) and of SafariViewService (the in-app browser):
// WebKit names each site's storage after its origin ("https_host_0"), so
// the folder listing alone tells which sites an app's web views stored
// data for. Each origin is checked as a URL. Three modules share the code:
// webkit_indexeddb, webkit_localstorage and webkit_safariviewservice.
package webkitfolders

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

const appData = "private/var/mobile/Containers/Data/Application/*/"

// Module is one WebKit folder module.
type Module struct {
	module.Base
	event string // timeline event name
	label string // human name of the folder kind
	spec  artifact.Spec
}

func newModule(name, event, label string, spec artifact.Spec) Module {
	return Module{Base: module.NewBase(name, 1, spec), event: event, label: label, spec: spec}
}

// IndexedDB, LocalStorage and SafariViewService are the three modules.
var (
	IndexedDB = newModule("webkit_indexeddb", "webkit_indexeddb", "IndexedDB", artifact.Spec{
		Backup: []string{"AppDomain-*/Library/WebKit/WebsiteData/IndexedDB/*", "AppDomain-*/Library/WebKit/WebsiteData/IndexedDB/v1/*"},
		Dump:   []string{appData + "Library/WebKit/WebsiteData/IndexedDB/*", appData + "Library/WebKit/WebsiteData/IndexedDB/v1/*"},
	})
	LocalStorage = newModule("webkit_localstorage", "webkit_local_storage", "WebKit Local Storage", artifact.Spec{
		Backup: []string{"AppDomain-*/Library/WebKit/WebsiteData/LocalStorage/*"},
		Dump:   []string{appData + "Library/WebKit/WebsiteData/LocalStorage/*"},
	})
	SafariViewService = newModule("webkit_safariviewservice", "webkit_safariviewservice", "SafariViewService WebsiteData", artifact.Spec{
		Dump: []string{
			appData + "SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/*",
			appData + "SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/LocalStorage/*",
			appData + "SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/IndexedDB/*",
			appData + "SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/IndexedDB/v1/*",
		},
	})
)

// Modules returns the three modules, for the registry.
func Modules() []module.Module { return []module.Module{IndexedDB, LocalStorage, SafariViewService} }

// Record is one origin's storage entry.
type Record struct {
	Folder string    `json:"folder"`
	Entry  string    `json:"entry"` // the file or folder name, e.g. "https_example.com_0.localstorage"
	URL    string    `json:"url"`
	Time   time.Time `json:"timestamp,omitzero"` // the entry's modification time
}

// Run implements module.Module.
func (m Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	paths, err := iosmod.Find(in, m.spec)
	if err != nil {
		return err
	}
	n := 0
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		u, ok := OriginURL(path.Base(p))
		if !ok {
			continue
		}
		n++
		rec.File(p)
		r := Record{Folder: path.Dir(p), Entry: path.Base(p), URL: u}
		if st, err := fs.Stat(in.Acq.FS, p); err != nil {
			rec.FileError(p, fmt.Errorf("%s: %w", p, err))
		} else if mt := st.ModTime(); !mt.IsZero() && mt.Unix() > 0 {
			r.Time = mt.UTC()
		}
		rec.Record(r)
		if !r.Time.IsZero() {
			rec.Event(model.Event{Time: r.Time, Event: m.event, Artifact: p,
				DescriptionMsg: i18n.M("ios.webkit_folders.event", "store", m.label, "folder", r.Folder, "url", r.URL)})
		}
		rec.CheckURL(r.URL, module.Where{Artifact: p, Time: r.Time, Label: i18n.M("ios.webkit_folders.what_origin", "store", m.label), Record: r})
	}
	if n == 0 {
		return module.ErrNotFound
	}
	return nil
}

// OriginURL turns a WebKit origin entry name ("https_www.example.com_0",
// "http_host_8080.localstorage") into its URL ("https://www.example.com",
// "http://host:8080"). Names of other shapes give false.
func OriginURL(name string) (string, bool) {
	scheme, rest, ok := strings.Cut(name, "_")
	if !ok || (scheme != "http" && scheme != "https") {
		return "", false
	}
	rest, _, _ = strings.Cut(rest, ".localstorage")
	host, port := rest, ""
	if i := strings.LastIndexByte(rest, '_'); i >= 0 {
		host, port = rest[:i], rest[i+1:]
	}
	if host == "" || strings.ContainsAny(host, "_/ ") {
		return "", false
	}
	u := scheme + "://" + host
	if p, err := strconv.Atoi(port); err == nil && p > 0 && p < 65536 {
		u += ":" + port
	}
	return u, true
}
