// Package chromehistory owns Chrome for iOS's History database: visited
// URLs, checked against the indicators.
package chromehistory

import (
	"context"
	"strconv"

	"github.com/spyscan/spyscan/internal/chromium"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

const rel = "Library/Application Support/Google/Chrome/Default/History"

// Spec locates the History database.
var Spec = artifact.Spec{
	Backup: []string{"AppDomain-com.google.chrome.ios/" + rel},
	Dump:   []string{"private/var/mobile/Containers/Data/Application/*/" + rel},
}

// Module reads Chrome history.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("chrome_history", 1, Spec)} }

// Visit is one visit.
type Visit struct {
	URLID      int64  `json:"id"`
	URL        string `json:"url"`
	Title      string `json:"title,omitempty"`
	VisitID    int64  `json:"visit_id"`
	Time       string `json:"time"`
	FromVisit  int64  `json:"redirect_source,omitempty"`
	Transition int64  `json:"transition"`
	DB         string `json:"db"`
}

// Run reads urls, then visits.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		return chromium.Visits(ctx, db, rec, func(c chromium.Visit) error {
			v := Visit{URLID: c.URLID, URL: c.URL, Title: c.Title, VisitID: c.VisitID, Time: iosmod.ISO(c.Time), FromVisit: c.FromVisit, Transition: c.Transition, DB: p}
			rec.Record(v)
			iosmod.Event(rec, c.Time, "visit", i18n.M("ios.chrome_history.event", "url", v.URL, "id", strconv.FormatInt(v.VisitID, 10), "from", strconv.FormatInt(v.FromVisit, 10)), p)
			rec.CheckURL(v.URL, module.Where{Artifact: p, Time: c.Time, Label: i18n.M("ios.chrome_history.what_url"), Record: v})
			return nil
		})
	})
}
