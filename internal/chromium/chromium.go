// Package chromium owns the History database of Chromium-family browsers
// (Chrome, Brave, Edge, Samsung Internet...), as they write it on iOS and
// Android: the urls and visits tables, read through internal/sqlitex (a
// database with a -wal file is read from a private copy with its WAL, so
// visits not yet checkpointed are seen). Times are microseconds since
// 1601-01-01 UTC (WebKit/Chrome time).
package chromium

import (
	"context"
	"time"

	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Visit is one visit and the URL it went to.
type Visit struct {
	URLID      int64
	URL        string
	Title      string
	VisitCount int64 // of the URL
	TypedCount int64 // of the URL
	VisitID    int64
	Time       time.Time
	FromVisit  int64 // the visit that led here (redirect or link), 0 when none
	Transition int64 // Chromium's page transition bits
}

// Visits reads db's urls, then its visits in visit-time order, and calls
// fn for each visit. Missing columns (other browser versions) are noted on
// rec and read as zero; a visit whose URL row is missing has an empty URL.
// When the urls table cannot be read, the error goes to rec and the visits
// are still read (without their URLs).
func Visits(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, fn func(Visit) error) error {
	type u struct {
		url, title     string
		visits, typeds int64
	}
	urls := map[int64]u{}
	if err := iosmod.Query(ctx, db, rec, "urls", []string{"id", "url", "title", "visit_count", "typed_count"}, "", func(r iosmod.Row) error {
		urls[r.Int("id")] = u{r.Str("url"), r.Str("title"), r.Int("visit_count"), r.Int("typed_count")}
		return ctx.Err()
	}); err != nil {
		rec.FileError(db.Name, err)
	}
	return iosmod.Query(ctx, db, rec, "visits", []string{"id", "url", "visit_time", "from_visit", "transition"}, "ORDER BY visit_time, id", func(r iosmod.Row) error {
		x := urls[r.Int("url")]
		return fn(Visit{URLID: r.Int("url"), URL: x.url, Title: x.title, VisitCount: x.visits, TypedCount: x.typeds,
			VisitID: r.Int("id"), Time: model.FromWebKitMicros(r.Int("visit_time")), FromVisit: r.Int("from_visit"), Transition: r.Int("transition")})
	})
}
