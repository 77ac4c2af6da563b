package modules_test

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/webkitfolders"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

// mapFS lays files out with their parent folders, each folder with the
// modification time of its newest file, as a real file system would show.
func mapFS(t *testing.T, backup bool) fstest.MapFS {
	t.Helper()
	files, err := iosdata.WebKitFolders(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	for i, f := range files {
		p := f.Path
		if backup {
			if f.Domain == "" {
				continue
			}
			p = f.Domain + "/" + f.RelativePath
		}
		mt := f.ModTime.Add(time.Duration(i) * time.Minute)
		m[p] = &fstest.MapFile{Data: f.Data, Mode: 0o444, ModTime: mt}
		for d := path.Dir(p); d != "."; d = path.Dir(d) {
			if old, ok := m[d]; !ok || old.ModTime.Before(mt) {
				m[d] = &fstest.MapFile{Mode: fs.ModeDir | 0o555, ModTime: mt}
			}
		}
	}
	return m
}

func TestWebKitFoldersGolden(t *testing.T) {
	for _, c := range []struct {
		mod     webkitfolders.Module
		kind    acquisition.Kind
		golden  string
		seen    int
		planted string
	}{
		{webkitfolders.IndexedDB, acquisition.IOSFilesystem, "indexeddb_dump", 2, iosdata.PegasusSubdomain2},
		{webkitfolders.IndexedDB, acquisition.IOSBackup, "indexeddb_backup", 2, iosdata.PegasusSubdomain2},
		{webkitfolders.LocalStorage, acquisition.IOSFilesystem, "localstorage_dump", 2, ""},
		{webkitfolders.LocalStorage, acquisition.IOSBackup, "localstorage_backup", 2, ""},
		{webkitfolders.SafariViewService, acquisition.IOSFilesystem, "safariviewservice_dump", 3, iosdata.PegasusDomain},
	} {
		t.Run(c.golden, func(t *testing.T) {
			res, err := modtest.Run(t, c.mod, c.kind, mapFS(t, c.kind == acquisition.IOSBackup))
			if err != nil {
				t.Fatal(err)
			}
			modtest.Golden(t, c.golden, res)
			if c.planted != "" && !modtest.HasAlert(res, model.Critical, true, `"`+c.planted+`"`) {
				t.Errorf("planted %s not found", c.planted)
			}
			if c.planted == "" && len(res.Alerts) != 0 {
				t.Errorf("unexpected alerts %+v", res.Alerts)
			}
			modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
			if res.Seen != c.seen || len(res.Timeline) != c.seen || len(res.Errors) != 0 {
				t.Errorf("seen %d, events %d, errors %v", res.Seen, len(res.Timeline), res.Errors)
			}
		})
	}
	if webkitfolders.SafariViewService.Applies(acquisition.IOSBackup) {
		t.Error("SafariViewService data is not in backups")
	}
}

func TestWebKitFoldersNotFound(t *testing.T) {
	for _, mod := range webkitfolders.Modules() {
		_, err := modtest.Run(t, mod, acquisition.IOSFilesystem, fstest.MapFS{
			"private/var/mobile/Containers/Data/Application/U/Library/WebKit/WebsiteData/LocalStorage/file__0.localstorage": {},
		})
		if !errors.Is(err, module.ErrNotFound) {
			t.Errorf("%s: got %v", mod.Name(), err)
		}
	}
}

func TestWebKitFoldersOriginURL(t *testing.T) {
	for name, want := range map[string]string{
		"https_www.example.com_0":         "https://www.example.com",
		"http_host.org_8080.localstorage": "http://host.org:8080",
		"https_a.b_0.localstorage":        "https://a.b",
		"https_a.b_99999":                 "https://a.b",
		"file__0":                         "",
		"https__0":                        "",
		"StorageTracker.db":               "",
		"https_evil.com_0_extra_parts":    "",
		"https_xn--80ak6aa92e.com_0":      "https://xn--80ak6aa92e.com",
	} {
		got, ok := webkitfolders.OriginURL(name)
		if got != want || ok != (want != "") {
			t.Errorf("%q: got %q %v", name, got, ok)
		}
	}
}

func FuzzWebKitFoldersOriginURL(f *testing.F) {
	f.Add("https_www.example.com_0")
	f.Add("http_a_1.localstorage")
	f.Fuzz(func(t *testing.T, name string) {
		if u, ok := webkitfolders.OriginURL(name); ok && len(u) > len(name)+4 {
			t.Fatalf("%q grew into %q", name, u)
		}
	})
}
