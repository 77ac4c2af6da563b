// Package firefoxfavicon owns the favicons of Firefox for iOS (browser.db):
// icon URLs and the pages they were fetched for, checked against the
// indicators.
package firefoxfavicon

import (
	"context"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/ios/modules/firefoxhistory"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Module reads Firefox favicons.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("firefox_favicon", 1, firefoxhistory.Spec)} }

// Favicon is one icon used by one page.
type Favicon struct {
	ID         int64  `json:"id"`
	URL        string `json:"url"`
	Width      int64  `json:"width"`
	Height     int64  `json:"height"`
	Type       int64  `json:"type"`
	Time       string `json:"time,omitempty"`
	HistoryURL string `json:"history_url,omitempty"`
	DB         string `json:"db"`
}

// Run reads history, favicons, then favicon_sites.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, firefoxhistory.Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		sites := map[int64]string{}
		icons := map[int64]iosmod.Row{}
		for _, q := range []struct {
			table string
			cols  []string
			fn    func(iosmod.Row) error
		}{
			{"history", []string{"id", "url"}, func(r iosmod.Row) error { sites[r.Int("id")] = r.Str("url"); return nil }},
			{"favicons", []string{"id", "url", "width", "height", "type", "date"}, func(r iosmod.Row) error { icons[r.Int("id")] = r; return nil }},
		} {
			if err := iosmod.Query(ctx, db, rec, q.table, q.cols, "", q.fn); err != nil {
				rec.FileError(p, err)
			}
		}
		return iosmod.Query(ctx, db, rec, "favicon_sites", []string{"siteID", "faviconID"}, "ORDER BY id", func(r iosmod.Row) error {
			ic := icons[r.Int("faviconid")]
			t := firefoxhistory.FirefoxTime(ic.Float("date"))
			f := Favicon{ID: r.Int("faviconid"), URL: ic.Str("url"), Width: ic.Int("width"), Height: ic.Int("height"), Type: ic.Int("type"),
				Time: iosmod.ISO(t), HistoryURL: sites[r.Int("siteid")], DB: p}
			rec.Record(f)
			iosmod.Event(rec, t, "firefox_favicon", i18n.M("ios.firefox_favicon.event", "icon", f.URL, "page", f.HistoryURL), p)
			w := module.Where{Artifact: p, Time: t, Label: i18n.M("ios.firefox_favicon.what_icon"), Record: f}
			rec.CheckURL(f.URL, w)
			w.Label = i18n.M("ios.firefox_favicon.what_page")
			rec.CheckURL(f.HistoryURL, w)
			return nil
		})
	})
}
