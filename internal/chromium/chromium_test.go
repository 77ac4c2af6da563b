package chromium

import (
	"context"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// TestVisits: an older schema without typed_count, a visit whose URL row is
// gone, and visits stored out of time order.
func TestVisits(t *testing.T) {
	b, err := iosgen.SQLite(context.Background(), []string{
		`CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT, visit_count INTEGER)`,
		`CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER, from_visit INTEGER, transition INTEGER)`,
	}, []iosgen.Stmt{
		{SQL: "INSERT INTO urls VALUES (1, 'https://a.example/', 'A', 3)"},
		{SQL: "INSERT INTO visits VALUES (2, 1, 13348540801000000, 1, 8)"},
		{SQL: "INSERT INTO visits VALUES (1, 1, 13348540800000000, 0, 0)"},
		{SQL: "INSERT INTO visits VALUES (3, 9, 13348540802000000, 0, 0)"},
	})
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlitex.Open(context.Background(), fstest.MapFS{"History": {Data: b}}, "History", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rec := module.NewRecorder("test", nil, nil)
	var got []Visit
	if err := Visits(context.Background(), db, rec, func(v Visit) error { got = append(got, v); return nil }); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	want := []Visit{
		{URLID: 1, URL: "https://a.example/", Title: "A", VisitCount: 3, VisitID: 1, Time: t0},
		{URLID: 1, URL: "https://a.example/", Title: "A", VisitCount: 3, VisitID: 2, Time: t0.Add(time.Second), FromVisit: 1, Transition: 8},
		{URLID: 9, VisitID: 3, Time: t0.Add(2 * time.Second)},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("visit %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if res := rec.Result(); len(res.Notes) != 1 {
		t.Errorf("notes %v (want one naming typed_count)", res.Notes)
	}
}
