// Package firefox owns Firefox for iOS's browser.db: its history (visits
// joined to history URLs) and its favicons (icon URLs and the pages they
// were fetched for). Two modules share the database: firefox_history and
// firefox_favicon. Every URL is checked against the indicators.
package firefox

import (
	"context"
	"fmt"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/modules/modutil"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates browser.db.
var Spec = artifact.Spec{
	Backup: []string{"AppDomainGroup-group.org.mozilla.ios.Firefox/profile.profile/browser.db"},
	Dump: []string{
		"private/var/mobile/Containers/Shared/AppGroup/*/profile.profile/browser.db",
		"private/var/mobile/profile.profile/browser.db",
	},
}

// History and Favicon are the two modules.
var (
	History = Module{name: "firefox_history", read: readHistory}
	Favicon = Module{name: "firefox_favicon", read: readFavicons}
)

// Modules returns both modules, for the registry.
func Modules() []module.Module { return []module.Module{History, Favicon} }

// Module is one Firefox module.
type Module struct {
	name string
	read func(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, p string) error
}

// Name implements module.Module.
func (m Module) Name() string { return m.name }

// Applies implements module.Module.
func (m Module) Applies(k acquisition.Kind) bool { return Spec.Applies(k) }

// Run implements module.Module.
func (m Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	paths := artifact.Find(in.Acq.FS, in.Acq.Kind, Spec)
	if len(paths) == 0 {
		return module.ErrNotFound
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec.File(p)
		db, err := sqlitex.Open(ctx, in.Acq.FS, p, in.TempDir)
		if err != nil {
			rec.FileError(p, err)
			continue
		}
		err = m.read(ctx, db, rec, p)
		db.Close()
		if err != nil {
			rec.FileError(p, err)
		}
	}
	return nil
}

// Visit is one history visit.
type Visit struct {
	ID      int64     `json:"id"`
	Time    time.Time `json:"timestamp,omitzero"`
	URL     string    `json:"url"`
	Title   string    `json:"title,omitempty"`
	IsLocal bool      `json:"is_local"`
	Type    int64     `json:"type"`
	File    string    `json:"file"`
}

func readHistory(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, p string) error {
	for _, t := range []string{"visits", "history"} {
		if !db.HasTable(ctx, t) {
			rec.Note("%s: no table %s (another Firefox version?)", p, t)
			return nil
		}
	}
	vc, hc := db.Columns(ctx, "visits"), db.Columns(ctx, "history")
	col := func(have map[string]bool, table, c string) string {
		if have[c] {
			return table + "." + c
		}
		rec.Note("%s: table %s lacks column %s (another Firefox version?)", p, table, c)
		return "NULL"
	}
	if !vc["siteid"] || !hc["id"] || !hc["url"] {
		rec.Note("%s: visits/history lack the columns that join them (another Firefox version?)", p)
		return nil
	}
	q := fmt.Sprintf("SELECT %s, %s, history.url, %s, %s, %s FROM visits JOIN history ON visits.siteID = history.id ORDER BY visits.id",
		col(vc, "visits", "id"), col(vc, "visits", "date"), col(hc, "history", "title"), col(vc, "visits", "is_local"), col(vc, "visits", "type"))
	return query(ctx, db, q, func(r modutil.Row) {
		v := Visit{ID: r.Int("c0"), Time: micros(r.Float("c1")), URL: r.Str("c2"), Title: r.Str("c3"),
			IsLocal: r.Int("c4") != 0, Type: r.Int("c5"), File: p}
		rec.Record(v)
		if !v.Time.IsZero() {
			rec.Event(model.Event{Time: v.Time, Event: "firefox_history", Artifact: p,
				Description: fmt.Sprintf("Firefox visit with ID %d to URL: %s", v.ID, v.URL)})
		}
		rec.CheckURL(v.URL, module.Where{Artifact: p, Time: v.Time, What: "Firefox history URL", Record: v})
	})
}

// Icon is one favicon and the page it belongs to.
type Icon struct {
	ID         int64     `json:"id"`
	URL        string    `json:"url"`
	Width      int64     `json:"width,omitempty"`
	Height     int64     `json:"height,omitempty"`
	Type       int64     `json:"type"`
	Time       time.Time `json:"timestamp,omitzero"`
	HistoryID  int64     `json:"history_id"`
	HistoryURL string    `json:"history_url"`
	File       string    `json:"file"`
}

func readFavicons(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, p string) error {
	for _, t := range []string{"favicons", "favicon_sites", "history"} {
		if !db.HasTable(ctx, t) {
			rec.Note("%s: no table %s (another Firefox version?)", p, t)
			return nil
		}
	}
	fc := db.Columns(ctx, "favicons")
	opt := func(c string) string {
		if fc[c] {
			return "favicons." + c
		}
		rec.Note("%s: table favicons lacks column %s (another Firefox version?)", p, c)
		return "NULL"
	}
	q := fmt.Sprintf(`SELECT favicons.id, favicons.url, %s, %s, %s, %s, history.id, history.url
		FROM favicons JOIN favicon_sites ON favicon_sites.faviconID = favicons.id
		JOIN history ON favicon_sites.siteID = history.id ORDER BY favicons.id, history.id`,
		opt("width"), opt("height"), opt("type"), opt("date"))
	return query(ctx, db, q, func(r modutil.Row) {
		ic := Icon{ID: r.Int("c0"), URL: r.Str("c1"), Width: r.Int("c2"), Height: r.Int("c3"), Type: r.Int("c4"),
			Time: seconds(r.Float("c5")), HistoryID: r.Int("c6"), HistoryURL: r.Str("c7"), File: p}
		rec.Record(ic)
		if !ic.Time.IsZero() {
			rec.Event(model.Event{Time: ic.Time, Event: "firefox_favicon", Artifact: p,
				Description: fmt.Sprintf("Firefox favicon %s when visiting %s", ic.URL, ic.HistoryURL)})
		}
		w := module.Where{Artifact: p, Time: ic.Time, What: "Firefox favicon URL", Record: ic}
		rec.CheckURL(ic.URL, w)
		w.What = "Firefox page with a favicon"
		rec.CheckURL(ic.HistoryURL, w)
	})
}

// query runs q and hands each row to fn with columns named c0, c1, ...
func query(ctx context.Context, db *sqlitex.DB, q string, fn func(modutil.Row)) error {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: %w", db.Name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("%s: %w", db.Name, err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("%s: %w", db.Name, err)
		}
		r := make(modutil.Row, len(cols))
		for i := range cols {
			r[fmt.Sprintf("c%d", i)] = vals[i]
		}
		fn(r)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: %w", db.Name, err)
	}
	return nil
}

// micros converts a visit date (microseconds since 1970).
func micros(v float64) time.Time {
	if v <= 0 {
		return time.Time{}
	}
	return time.UnixMicro(int64(v)).UTC()
}

// seconds converts a favicon date (seconds since 1970; milliseconds when
// too large for seconds).
func seconds(v float64) time.Time {
	if v > 1e11 {
		return model.FromUnixMillis(int64(v))
	}
	return model.FromUnixSeconds(v)
}
