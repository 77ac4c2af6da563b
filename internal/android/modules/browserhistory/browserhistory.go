// Package browserhistory owns the browser history androidqf collects when
// it has root (browser_history/manifest.json, and for each Chromium-family
// browser, Chrome, Brave, Edge and Samsung Internet, its History database
// copied with its -wal and -shm files): every visit, checked against URL
// and domain indicators (CRITICAL on a hit, as MVT) and put on the
// timeline. Databases are read through internal/sqlitex, so visits still
// in the -wal file are seen and the evidence is never changed. A manifest
// path that leaves browser_history/ is refused and named as a problem,
// never read; a sidecar the manifest lists but the acquisition lacks is a
// problem too (visits may be missing).
package browserhistory

import (
	"context"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/qfmanifest"
	"github.com/spyscan/spyscan/internal/chromium"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Name is the module's name.
const Name = "aqf_browser_history"

// Where androidqf writes it.
const (
	Dir      = "browser_history"
	Manifest = Dir + "/manifest.json"
)

// Database is one manifest entry: a browser's History database.
type Database struct {
	Browser     string   `json:"browser"`
	Package     string   `json:"package"`
	Profile     string   `json:"profile"`
	DevicePath  string   `json:"device_path"`
	ArchivePath string   `json:"archive_path"`
	Sidecars    []string `json:"sidecars,omitempty"` // archive paths
}

// Entry reads one manifest entry: every field MVT requires must be a
// non-empty string and archive_path must stay inside browser_history/.
func Entry(e map[string]any) (Database, error) {
	if e == nil {
		return Database{}, fmt.Errorf("%w: database entry is not an object", qfmanifest.ErrUnsupported)
	}
	d := Database{Browser: qfmanifest.Str(e, "browser"), Package: qfmanifest.Str(e, "package"), Profile: qfmanifest.Str(e, "profile"),
		DevicePath: qfmanifest.Str(e, "device_path"), ArchivePath: qfmanifest.Str(e, "archive_path")}
	for _, f := range []struct{ name, v string }{{"browser", d.Browser}, {"package", d.Package}, {"profile", d.Profile},
		{"device_path", d.DevicePath}, {"archive_path", d.ArchivePath}} {
		if f.v == "" {
			return d, fmt.Errorf("%w: database entry has no %s", qfmanifest.ErrUnsupported, f.name)
		}
	}
	if err := qfmanifest.SafePath(d.ArchivePath, Dir); err != nil {
		return d, fmt.Errorf("archive_path %w", err)
	}
	if sc, ok := e["sidecars"].([]any); ok {
		for _, s := range sc {
			if obj, ok := s.(map[string]any); ok {
				d.Sidecars = append(d.Sidecars, qfmanifest.Str(obj, "archive_path"))
			}
		}
	}
	return d, nil
}

// Visit is one record of the module's output.
type Visit struct {
	URLID      int64     `json:"id"`
	URL        string    `json:"url"`
	Title      string    `json:"title,omitempty"`
	VisitCount int64     `json:"visit_count"`
	TypedCount int64     `json:"typed_count"`
	VisitID    int64     `json:"visit_id"`
	Time       time.Time `json:"time,omitzero"`
	FromVisit  int64     `json:"redirect_source,omitempty"`
	Transition int64     `json:"transition"`
	Browser    string    `json:"browser"`
	Package    string    `json:"package"`
	Profile    string    `json:"profile"`
	DevicePath string    `json:"device_path"`
	DB         string    `json:"db"`
}

// Module is the browser history module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	man, entries, ok, err := qfmanifest.Load(in.Acq.FS, rec, Manifest, "databases")
	if !ok {
		return err
	}
	if man.Status != "" && man.Status != "collected" && man.Status != "no_databases" {
		rec.Note(i18n.M("android.browser_history.note_status", "status", man.Status))
	}
	for i, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		d, err := Entry(e)
		if err != nil {
			rec.FileError(Manifest, fmt.Errorf("%s: database %d: %w", Manifest, i, err))
			continue
		}
		if err := readDB(ctx, in, rec, d); err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rec.FileError(d.ArchivePath, err)
		}
	}
	return nil
}

// readDB reads one History database and its sidecars.
func readDB(ctx context.Context, in *module.Input, rec *module.Recorder, d Database) error {
	fsys := in.Acq.FS
	for _, s := range d.Sidecars {
		if err := qfmanifest.SafePath(s, Dir); err != nil {
			rec.FileError(Manifest, fmt.Errorf("%s: sidecar archive_path %w", Manifest, err))
			continue
		}
		if _, err := fs.Stat(fsys, s); err != nil {
			rec.FileError(s, fmt.Errorf("%s: listed in %s, not in the acquisition (visits may be missing): %w", s, Manifest, err))
		} else if !strings.HasPrefix(s, d.ArchivePath+"-") {
			rec.Note(i18n.M("android.browser_history.note_sidecar", "file", s, "db", d.ArchivePath))
		}
	}
	if _, err := fs.Stat(fsys, d.ArchivePath); err != nil {
		return fmt.Errorf("%s: %w", d.ArchivePath, err)
	}
	rec.File(d.ArchivePath)
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := fs.Stat(fsys, d.ArchivePath+suffix); err == nil {
			rec.File(d.ArchivePath + suffix)
		}
	}
	db, err := sqlitex.Open(ctx, fsys, d.ArchivePath, in.TempDir)
	if err != nil {
		return err
	}
	defer db.Close()
	p := d.ArchivePath
	return chromium.Visits(ctx, db, rec, func(c chromium.Visit) error {
		v := Visit{URLID: c.URLID, URL: c.URL, Title: c.Title, VisitCount: c.VisitCount, TypedCount: c.TypedCount, VisitID: c.VisitID,
			Time: c.Time, FromVisit: c.FromVisit, Transition: c.Transition, Browser: d.Browser, Package: d.Package, Profile: d.Profile,
			DevicePath: d.DevicePath, DB: p}
		rec.Record(v)
		if !c.Time.IsZero() {
			rec.Event(model.Event{Time: c.Time, Event: "visit", Artifact: p, DescriptionMsg: i18n.M("android.browser_history.event",
				"browser", d.Browser, "url", v.URL, "id", strconv.FormatInt(v.VisitID, 10), "profile", d.Profile)})
		}
		rec.CheckURL(v.URL, module.Where{Artifact: p, Time: c.Time, Label: i18n.M("android.browser_history.what_url"), Record: v})
		return nil
	})
}
