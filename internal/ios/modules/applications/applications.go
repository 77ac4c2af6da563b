// Package applications owns the list of installed apps: from the backup's
// Info.plist ("Applications", each with its iTunesMetadata plist, and
// "Installed Applications") and, in filesystem dumps, from each app
// bundle's iTunesMetadata.plist. Bundle ids are checked as app ids and as
// process names; apps without a bundle id or installed from somewhere other
// than the App Store or an MDM are flagged.
package applications

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/plistx"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's identifier.
const Name = "applications"

// Spec locates the app lists.
var Spec = artifact.Spec{
	Backup: []string{"Info.plist"},
	Dump:   []string{"private/var/containers/Bundle/Application/*/iTunesMetadata.plist"},
}

// KnownInstallers are the sourceApp values of apps from the App Store or
// installed by a device-management (MDM) server.
var KnownInstallers = map[string]bool{
	"com.apple.AppStore": true, "com.apple.AppStore.ProductPageExtension": true,
	"com.apple.dmd": true, "dmd": true,
}

// Module is the applications module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, Spec)} }

// Record is one installed app.
type Record struct {
	Name         string    `json:"name,omitempty"` // key in the backup's Applications dictionary
	BundleID     string    `json:"bundle_id"`      // softwareVersionBundleId
	ItemName     string    `json:"item_name,omitempty"`
	ArtistName   string    `json:"artist_name,omitempty"`
	Version      string    `json:"version,omitempty"`
	SourceApp    string    `json:"source_app,omitempty"`
	PurchaseDate time.Time `json:"purchase_date,omitzero"`
	IconSHA256   string    `json:"icon_sha256,omitempty"`
	File         string    `json:"file"`
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachFile(ctx, in, rec, Spec, iosmod.MaxPlist, func(p string, data []byte) error {
		if path.Base(p) == "Info.plist" {
			return backupInfo(rec, p, data)
		}
		r, err := ParseMetadata(data)
		if err != nil {
			return err
		}
		r.File = p
		report(rec, r)
		return nil
	})
}

// backupInfo reads the Applications dictionary of a backup's Info.plist.
func backupInfo(rec *module.Recorder, p string, data []byte) error {
	var info struct {
		Applications map[string]struct {
			Metadata []byte `plist:"iTunesMetadata"`
			Icon     []byte `plist:"PlaceholderIcon"`
		} `plist:"Applications"`
		Installed []string `plist:"Installed Applications"`
	}
	if err := plistx.Unmarshal(data, &info); err != nil {
		return fmt.Errorf("not a plist dictionary: %w", err)
	}
	listed := map[string]bool{}
	for _, name := range iosmod.SortedKeys(info.Applications) {
		app := info.Applications[name]
		listed[name] = true
		r := Record{}
		if len(app.Metadata) > 0 {
			var err error
			if r, err = ParseMetadata(app.Metadata); err != nil {
				rec.FileError(p, fmt.Errorf("%s: app %s: iTunesMetadata: %w", p, name, err))
				r = Record{}
			}
		}
		r.Name, r.File = name, p
		if len(app.Icon) > 0 {
			h := sha256.Sum256(app.Icon)
			r.IconSHA256 = hex.EncodeToString(h[:])
		}
		report(rec, r)
	}
	if info.Applications == nil {
		rec.Note(i18n.M("ios.note.no_applications", "file", p))
	}
	for _, id := range info.Installed {
		if listed[id] {
			continue
		}
		w := module.Where{Artifact: p, Label: i18n.M("ios.applications.what_installed"), Record: map[string]string{"bundle_id": id}}
		rec.CheckBundleID(id, w)
	}
	return nil
}

// ParseMetadata parses an iTunesMetadata.plist.
func ParseMetadata(data []byte) (Record, error) {
	var m map[string]any
	if err := plistx.Unmarshal(data, &m); err != nil {
		return Record{}, fmt.Errorf("not a plist dictionary: %w", err)
	}
	str := func(k string) string { s, _ := m[k].(string); return s }
	r := Record{BundleID: str("softwareVersionBundleId"), ItemName: str("itemName"), ArtistName: str("artistName"),
		Version: str("bundleShortVersionString"), SourceApp: str("sourceApp")}
	if di, ok := m["com.apple.iTunesStore.downloadInfo"].(map[string]any); ok {
		switch v := di["purchaseDate"].(type) {
		case string:
			if t, err := time.Parse(time.RFC3339, v); err == nil {
				r.PurchaseDate = t.UTC()
			}
		case time.Time:
			r.PurchaseDate = iosmod.ValidTime(v)
		}
	}
	return r, nil
}

func report(rec *module.Recorder, r Record) {
	rec.Record(r)
	w := module.Where{Artifact: r.File, Time: r.PurchaseDate, Label: i18n.M("ios.applications.what_bundle"), Record: r}
	if !r.PurchaseDate.IsZero() {
		rec.Event(model.Event{Time: r.PurchaseDate, Event: "app_installed", Artifact: r.File,
			DescriptionMsg: i18n.M("ios.applications.event", "name", r.ItemName, "bundle", r.BundleID, "version", r.Version, "artist", r.ArtistName, "source", orUnknown(r.SourceApp))})
	}
	if strings.TrimSpace(r.BundleID) == "" {
		rec.Flag(model.High, w, i18n.M("ios.applications.no_bundle.title", "app", label(r)),
			i18n.M("ios.applications.no_bundle.reason"), i18n.M("ios.applications.no_bundle.benign"))
		return
	}
	if rec.CheckBundleID(r.BundleID, w) {
		return
	}
	if r.SourceApp != "" && !KnownInstallers[r.SourceApp] {
		rec.Flag(model.Medium, w, i18n.M("ios.applications.sideloaded.title", "app", r.BundleID, "source", r.SourceApp),
			i18n.M("ios.applications.sideloaded.reason"), i18n.M("ios.applications.sideloaded.benign"))
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown source"
	}
	return s
}

func label(r Record) string {
	if r.ItemName != "" {
		return r.ItemName
	}
	return r.Name
}
