// Package firefoxhistory owns the history of Firefox for iOS (browser.db):
// visited URLs, checked against the indicators.
package firefoxhistory

import (
	"context"
	"strconv"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates browser.db.
var Spec = artifact.Spec{
	Backup: []string{"AppDomainGroup-group.org.mozilla.ios.Firefox/profile.profile/browser.db"},
	Dump:   []string{"private/var/mobile/Containers/Shared/AppGroup/*/profile.profile/browser.db", "private/var/mobile/profile.profile/browser.db"},
}

// Module reads Firefox history.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("firefox_history", 1, Spec)} }

// Visit is one visit.
type Visit struct {
	ID    int64  `json:"id"`
	Time  string `json:"time"`
	URL   string `json:"url"`
	Title string `json:"title,omitempty"`
	Local bool   `json:"is_local"`
	Type  int64  `json:"type"`
	DB    string `json:"db"`
}

// FirefoxTime converts Firefox's timestamps (micro-, milli- or seconds since 1970).
func FirefoxTime(v float64) time.Time {
	switch {
	case v > 1e14:
		return model.FromUnixSeconds(v / 1e6)
	case v > 1e11:
		return model.FromUnixSeconds(v / 1e3)
	}
	return model.FromUnixSeconds(v)
}

// Run reads history, then visits.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		type h struct{ url, title string }
		sites := map[int64]h{}
		if err := iosmod.Query(ctx, db, rec, "history", []string{"id", "url", "title"}, "", func(r iosmod.Row) error {
			sites[r.Int("id")] = h{r.Str("url"), r.Str("title")}
			return nil
		}); err != nil {
			rec.FileError(p, err)
		}
		return iosmod.Query(ctx, db, rec, "visits", []string{"id", "siteID", "date", "type", "is_local"}, "ORDER BY date, id", func(r iosmod.Row) error {
			t := FirefoxTime(r.Float("date"))
			s := sites[r.Int("siteid")]
			v := Visit{ID: r.Int("id"), Time: iosmod.ISO(t), URL: s.url, Title: s.title, Local: r.Int("is_local") == 1, Type: r.Int("type"), DB: p}
			rec.Record(v)
			iosmod.Event(rec, t, "firefox_history", i18n.M("ios.firefox_history.event", "id", strconv.FormatInt(int64(v.ID), 10), "url", v.URL), p)
			rec.CheckURL(v.URL, module.Where{Artifact: p, Time: t, Label: i18n.M("ios.firefox_history.what_url"), Record: v})
			return nil
		})
	})
}
