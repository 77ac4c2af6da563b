package modules_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/safarihistory"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestSafariHistoryGolden(t *testing.T) {
	modtest.GoldenLayouts(t, safarihistory.New(), iosdata.SafariHistory(0), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.QuaDreamDomain) // from the Safari profile
		modtest.WantAlert(t, res, model.Medium, false, "news.example.com")
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		modtest.NoAlertMentions(t, res, "www.example.org")  // HTTPS upgrade
		modtest.NoAlertMentions(t, res, "shop.example.net") // redirect took 3 s
		if res.Seen != 8 || len(res.Timeline) != 8 || len(res.Alerts) != 3 || len(res.Files) != 2 {
			t.Errorf("seen %d events %d alerts %d files %d", res.Seen, len(res.Timeline), len(res.Alerts), len(res.Files))
		}
	})
}

func TestSafariHistoryCorrupt(t *testing.T) {
	good := iosdata.SafariHistory(0)
	bad := iosdata.SafariHistoryDB(iosdata.SafariVisits(), 2000)
	fs := modtest.DumpFS(good)
	fs["private/var/mobile/Containers/Data/Application/ABC/Library/Safari/History.db"] = &fstest.MapFile{Data: iosdata.Corrupt(bad)}
	res, err := modtest.Run(t, safarihistory.New(), acquisition.IOSFilesystem, fs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Error, "Application/ABC") {
		t.Errorf("errors %+v", res.Errors)
	}
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain) // the good databases are still read
}

func TestSafariHistorySchemaDrift(t *testing.T) {
	db := iosdata.BuildDB([]string{
		`CREATE TABLE history_items (id INTEGER PRIMARY KEY, url TEXT)`,
		`CREATE TABLE history_visits (id INTEGER PRIMARY KEY, history_item INTEGER, visit_time REAL)`,
	}, []iosgen.Stmt{
		iosgen.Ins("history_items", "id, url", 1, "https://"+iosdata.PegasusDomain+"/"),
		iosgen.Ins("history_visits", "id, history_item, visit_time", 1, 1, iosdata.AppleSec(iosdata.Base)),
	})
	res, err := modtest.Run(t, safarihistory.New(), acquisition.IOSBackup, fstest.MapFS{"HomeDomain/Library/Safari/History.db": {Data: db}})
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusDomain)
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "redirect_destination") {
		t.Errorf("notes %q", res.Notes)
	}
}

func TestSafariHistoryHost(t *testing.T) {
	for in, want := range map[string]string{"http://WWW.A.com:80/x": "a.com", "https://b.org": "b.org", "::bad": ""} {
		if got := safarihistory.Host(in); got != want {
			t.Errorf("%q: %q want %q", in, got, want)
		}
	}
}

// The ORDER BY column itself is missing: the rows are still read.
func TestSafariHistoryOrderColumnMissing(t *testing.T) {
	db := iosdata.BuildDB([]string{
		`CREATE TABLE history_items (id INTEGER PRIMARY KEY, url TEXT)`,
		`CREATE TABLE history_visits (id INTEGER PRIMARY KEY, history_item INTEGER)`,
	}, []iosgen.Stmt{
		iosgen.Ins("history_items", "id, url", 1, "https://"+iosdata.PegasusDomain+"/"),
		iosgen.Ins("history_visits", "id, history_item", 1, 1),
	})
	res, err := modtest.Run(t, safarihistory.New(), acquisition.IOSBackup, fstest.MapFS{"HomeDomain/Library/Safari/History.db": {Data: db}})
	if err != nil || len(res.Errors) > 0 || res.Seen != 1 {
		t.Fatal(err, res.Errors, res.Seen)
	}
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusDomain)
}

// A real Safari history database (artemis' test data, MIT; see
// testdata/artemis/SOURCES.md), in a backup and in a dump, against
// answers read with another SQLite reader: every visit, the first and last
// times, and no alert (its one plain-HTTP redirect goes to the same site).
func TestSafariHistoryRealHistoryDB(t *testing.T) {
	db, err := os.ReadFile("testdata/artemis/History.db")
	if err != nil {
		t.Fatal(err)
	}
	first := time.Date(2022, 6, 20, 2, 47, 23, 546784000, time.UTC)
	last := time.Date(2022, 6, 26, 18, 56, 47, 924990000, time.UTC)
	for _, c := range []struct {
		kind acquisition.Kind
		path string
	}{
		{acquisition.IOSBackup, "HomeDomain/Library/Safari/History.db"},
		{acquisition.IOSFilesystem, "private/var/mobile/Library/Safari/History.db"},
	} {
		t.Run(string(c.kind), func(t *testing.T) {
			res, err := modtest.Run(t, safarihistory.New(), c.kind, fstest.MapFS{c.path: {Data: db}})
			if err != nil || len(res.Errors) > 0 {
				t.Fatal(err, res.Errors)
			}
			if res.Seen != 42 || len(res.Timeline) != 42 || len(res.Alerts) != 0 {
				t.Fatalf("seen %d events %d alerts %+v", res.Seen, len(res.Timeline), res.Alerts)
			}
			lo, hi := res.Timeline[0].Time, res.Timeline[0].Time
			for _, e := range res.Timeline {
				if e.Time.Before(lo) {
					lo = e.Time
				}
				if e.Time.After(hi) {
					hi = e.Time
				}
			}
			if d := lo.Sub(first).Abs(); d > time.Microsecond {
				t.Errorf("first visit %v, want %v", lo, first)
			}
			if d := hi.Sub(last).Abs(); d > time.Microsecond {
				t.Errorf("last visit %v, want %v", hi, last)
			}
		})
	}
}
