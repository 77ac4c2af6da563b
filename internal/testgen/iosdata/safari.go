package iosdata

import (
	"fmt"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// SafariHistorySchema is Safari's History.db schema (iOS 14–17).
var SafariHistorySchema = []string{
	`CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT,url TEXT NOT NULL UNIQUE,domain_expansion TEXT NULL,visit_count INTEGER NOT NULL,daily_visit_counts BLOB NOT NULL,weekly_visit_counts BLOB NULL,autocomplete_triggers BLOB NULL,should_recompute_derived_visit_counts INTEGER NOT NULL,visit_count_score INTEGER NOT NULL,status_code INTEGER NOT NULL DEFAULT 0)`,
	`CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT,history_item INTEGER NOT NULL REFERENCES history_items(id) ON DELETE CASCADE,visit_time REAL NOT NULL,title TEXT NULL,load_successful BOOLEAN NOT NULL DEFAULT 1,http_non_get BOOLEAN NOT NULL DEFAULT 0,synthesized BOOLEAN NOT NULL DEFAULT 0,redirect_source INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE,redirect_destination INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE,origin INTEGER NOT NULL DEFAULT 0,generation INTEGER NOT NULL DEFAULT 0,attributes INTEGER NOT NULL DEFAULT 0,score INTEGER NOT NULL DEFAULT 0)`,
}

// Visit is one planted Safari visit; RedirectTo is the 1-based index of the
// visit it redirected to (0: none).
type Visit struct {
	URL        string
	At         time.Time
	RedirectTo int
}

// SafariVisits are the planted visits: a Pegasus link reached through a
// fast HTTP redirect, an HTTPS upgrade on the same site (not suspicious), a
// slow cross-site redirect (not suspicious) and look-alikes.
func SafariVisits() []Visit {
	return []Visit{
		{"http://news.example.com/article", At(0), 2},
		{"https://" + PegasusSubdomain + "/b/1234", At(350 * time.Millisecond), 0},
		{"http://www.example.org/", At(time.Minute), 4},
		{"https://www.example.org/", At(time.Minute + 100*time.Millisecond), 0},
		{"http://shop.example.net/", At(2 * time.Minute), 6},
		{"https://pay.example-bank.com/", At(2*time.Minute + 3*time.Second), 0},
		{"https://" + LookalikeDomain + "/index.html", At(3 * time.Minute), 0},
	}
}

// SafariHistory returns History.db in Safari's place and in a Safari
// profile, each with the planted visits plus filler visits.
func SafariHistory(filler int) []iosgen.File {
	db := SafariHistoryDB(SafariVisits(), filler)
	prof := SafariHistoryDB([]Visit{{"https://" + QuaDreamDomain + "/w", At(5 * time.Hour), 0}}, 0)
	return []iosgen.File{
		{Domain: "HomeDomain", RelativePath: "Library/Safari/History.db", Path: "private/var/mobile/Library/Safari/History.db", Data: db},
		{Domain: "HomeDomain", RelativePath: "Library/Safari/Profiles/0C6A2E44-6A0B-4D3A-9D4E-1B0E1F3C2A10/History.db",
			Path: "private/var/mobile/Library/Safari/Profiles/0C6A2E44-6A0B-4D3A-9D4E-1B0E1F3C2A10/History.db", Data: prof},
	}
}

// SafariHistoryDB builds one History.db.
func SafariHistoryDB(visits []Visit, filler int) []byte {
	var st []iosgen.Stmt
	items := map[string]int{}
	for i, v := range visits {
		id, ok := items[v.URL]
		if !ok {
			id = len(items) + 1
			items[v.URL] = id
			st = append(st, iosgen.Ins("history_items", "id, url, visit_count, daily_visit_counts, should_recompute_derived_visit_counts, visit_count_score", id, v.URL, 1, []byte{}, 0, 100))
		}
		var dst, src any
		if v.RedirectTo > 0 {
			dst = v.RedirectTo
		}
		for j, w := range visits {
			if w.RedirectTo == i+1 {
				src = j + 1
			}
		}
		st = append(st, iosgen.Ins("history_visits", "id, history_item, visit_time, title, redirect_source, redirect_destination", i+1, id, AppleSec(v.At), "Page", src, dst))
	}
	for k := 0; k < filler; k++ {
		u := fmt.Sprintf("https://site%d.example.com/page/%d", k%2000, k%7)
		id, ok := items[u]
		if !ok {
			id = len(items) + 1
			items[u] = id
			st = append(st, iosgen.Ins("history_items", "id, url, visit_count, daily_visit_counts, should_recompute_derived_visit_counts, visit_count_score", id, u, 1, []byte{}, 0, 100))
		}
		st = append(st, iosgen.Ins("history_visits", "id, history_item, visit_time, title", len(visits)+k+1, id, AppleSec(At(time.Duration(k)*time.Second)), "Filler"))
	}
	return BuildDB(SafariHistorySchema, st)
}
