// Package safarihistory owns Safari's History.db (including the databases
// of Safari Profiles and of apps embedding Safari's history): every visited
// URL is checked against the indicators, and an HTTP visit redirected to
// another site in under a second is flagged, as network injection attacks
// (Pegasus over a rogue network or the ISP) look like that.
package safarihistory

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates History.db.
var Spec = artifact.Spec{
	Backup: []string{
		"HomeDomain/Library/Safari/History.db",
		"HomeDomain/Library/Safari/Profiles/*/History.db",
		"AppDomain-*/Library/Safari/History.db",
		"AppDomain-*/Library/Safari/Profiles/*/History.db",
	},
	Dump: []string{
		"private/var/mobile/Library/Safari/History.db",
		"private/var/mobile/Library/Safari/Profiles/*/History.db",
		"private/var/mobile/Containers/Data/Application/*/Library/Safari/History.db",
		"private/var/mobile/Containers/Data/Application/*/Library/Safari/Profiles/*/History.db",
	},
}

// Module reads Safari history.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("safari_history", 1, Spec)} }

// Visit is one visit record.
type Visit struct {
	ItemID              int64  `json:"item_id"`
	VisitID             int64  `json:"visit_id"`
	URL                 string `json:"url"`
	Title               string `json:"title,omitempty"`
	Time                string `json:"time"`
	RedirectSource      int64  `json:"redirect_source,omitempty"`
	RedirectDestination int64  `json:"redirect_destination,omitempty"`
	DB                  string `json:"db"`
	t                   time.Time
}

// Run reads every History.db.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		if db.HasColumns(ctx, "history_items", "id", "url") &&
			db.HasColumns(ctx, "history_visits", "id", "history_item", "visit_time", "title", "redirect_source", "redirect_destination") {
			return streamVisits(ctx, db, rec, p)
		}
		return loadVisits(ctx, db, rec, p)
	})
}

// visitsQuery joins each visit to its URL and to the visit it redirected
// to, so that visits stream in time order with memory independent of the
// size of the history.
const visitsQuery = `SELECT v.id, v.history_item, v.visit_time, v.title, v.redirect_source, v.redirect_destination, i.url,
 d.id, d.history_item, d.visit_time, d.title, d.redirect_source, d.redirect_destination, di.url
 FROM history_visits v LEFT JOIN history_items i ON i.id = v.history_item
 LEFT JOIN history_visits d ON d.id = v.redirect_destination AND v.redirect_destination != 0
 LEFT JOIN history_items di ON di.id = d.history_item
 ORDER BY v.visit_time, v.id`

var visitsColumns = []string{"id", "history_item", "visit_time", "title", "redirect_source", "redirect_destination", "url",
	"d_id", "d_history_item", "d_visit_time", "d_title", "d_redirect_source", "d_redirect_destination", "d_url"}

// streamVisits reads the visits of a History.db with the current schema.
func streamVisits(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, p string) error {
	return iosmod.QuerySQL(ctx, db, visitsQuery, visitsColumns, func(r iosmod.Row) error {
		v := visitOf(r, "", p)
		v.URL = r.Str("url")
		report(rec, &v, p)
		if !r.Null("d_id") {
			to := visitOf(r, "d_", p)
			to.URL = r.Str("d_url")
			fastRedirect(rec, &v, &to, p)
		}
		return nil
	})
}

func visitOf(r iosmod.Row, prefix, p string) Visit {
	v := Visit{ItemID: r.Int(prefix + "history_item"), VisitID: r.Int(prefix + "id"), Title: r.Str(prefix + "title"),
		RedirectSource: r.Int(prefix + "redirect_source"), RedirectDestination: r.Int(prefix + "redirect_destination"), DB: p}
	v.t = iosmod.AppleTime(r, prefix+"visit_time")
	v.Time = iosmod.ISO(v.t)
	return v
}

func report(rec *module.Recorder, v *Visit, p string) {
	rec.Record(v)
	iosmod.Event(rec, v.t, "safari_history", i18n.S("ios.safari_history.event", "url", v.URL), p)
	rec.CheckURL(v.URL, module.Where{Artifact: p, Time: v.t, Label: i18n.M("ios.safari_history.what_url"), Record: v})
}

// loadVisits reads a History.db whose schema lacks a column the join
// needs: each table on its own, missing columns read as NULL.
func loadVisits(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, p string) error {
	items := map[int64]string{}
	if err := iosmod.Query(ctx, db, rec, "history_items", []string{"id", "url"}, "", func(r iosmod.Row) error {
		items[r.Int("id")] = r.Str("url")
		return nil
	}); err != nil {
		rec.FileError(p, err) // visits are still listed, without their URL
	}
	var visits []Visit
	byID := map[int64]int{}
	err := iosmod.Query(ctx, db, rec, "history_visits",
		[]string{"id", "history_item", "visit_time", "title", "redirect_source", "redirect_destination"},
		"ORDER BY visit_time, id", func(r iosmod.Row) error {
			v := Visit{ItemID: r.Int("history_item"), VisitID: r.Int("id"), Title: r.Str("title"),
				RedirectSource: r.Int("redirect_source"), RedirectDestination: r.Int("redirect_destination"), DB: p}
			v.URL = items[v.ItemID]
			v.t = iosmod.AppleTime(r, "visit_time")
			v.Time = iosmod.ISO(v.t)
			byID[v.VisitID] = len(visits)
			visits = append(visits, v)
			return nil
		})
	for i := range visits {
		v := &visits[i]
		report(rec, v, p)
		if j, ok := byID[v.RedirectDestination]; ok && v.RedirectDestination != 0 {
			fastRedirect(rec, v, &visits[j], p)
		}
	}
	return err
}

// fastRedirect flags an HTTP visit sent to another site in under a second.
func fastRedirect(rec *module.Recorder, from, to *Visit, p string) {
	if !strings.HasPrefix(strings.ToLower(from.URL), "http://") {
		return
	}
	a, b := Host(from.URL), Host(to.URL)
	if a == "" || b == "" || a == b {
		return // same host: most likely an HTTPS upgrade
	}
	d := to.t.Sub(from.t)
	if d < 0 || d >= time.Second {
		return
	}
	rec.Flag(model.Medium, module.Where{Artifact: p, Time: from.t, Record: map[string]any{"from": from, "to": to}},
		i18n.M("ios.safari_history.redirect.title", "from", from.URL, "to", to.URL, "ms", strconv.FormatInt(d.Milliseconds(), 10)),
		i18n.M("ios.safari_history.redirect.reason"), i18n.M("ios.safari_history.redirect.benign"))
}

// Host returns the lower-cased host of a URL without "www.".
func Host(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
}
