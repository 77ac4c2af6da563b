package modules_test

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/browserhistory"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androidbrowser"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestBrowserHistoryGolden(t *testing.T) {
	modtest.GoldenQF(t, browserhistory.New(), androidbrowser.BrowserHistory(), func(t *testing.T, _ string, res model.ModuleResult) {
		if len(res.Errors) > 0 || len(res.Records) != 5 || len(res.Timeline) != 5 {
			t.Errorf("errors %+v records %d events %d", res.Errors, len(res.Records), len(res.Timeline))
		}
		// the Pegasus visit is only in Chrome's -wal file
		modtest.WantAlert(t, res, model.Critical, true, androiddata.PegasusDomain)
		modtest.NoAlertMentions(t, res, androiddata.LookalikeDomain)
		chrome := "browser_history/com.android.chrome/Default/History"
		modtest.WantFiles(t, res, browserhistory.Manifest, chrome, chrome+"-wal", chrome+"-shm", "browser_history/com.sec.android.app.sbrowser/Default/History")
	})
}

func browserHistoryRun(t *testing.T, files map[string][]byte) model.ModuleResult {
	t.Helper()
	res, err := modtest.Run(t, browserhistory.New(), acquisition.AndroidQF, files)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// mvtDB is the History database of MVT's published browser history test
// (tests/android/test_browser_history.py): one URL, one visit (id 7) at
// Chrome time 13,348,540,800,000,000 µs, which MVT's test and any
// calendar give as 2024-01-01 00:00:00 UTC.
func mvtDB(t *testing.T) []byte {
	b, err := iosgen.SQLite(context.Background(), []string{
		`CREATE TABLE urls (id INTEGER PRIMARY KEY, url TEXT, title TEXT, visit_count INTEGER, typed_count INTEGER)`,
		`CREATE TABLE visits (id INTEGER PRIMARY KEY, url INTEGER, visit_time INTEGER, from_visit INTEGER, transition INTEGER)`,
	}, []iosgen.Stmt{
		{SQL: "INSERT INTO urls VALUES (1, 'https://example.org/path', 'Example', 1, 0)"},
		{SQL: "INSERT INTO visits VALUES (7, 1, 13348540800000000, 0, 805306368)"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBrowserHistoryMVTKnownAnswer(t *testing.T) {
	res := browserHistoryRun(t, androiddata.BrowserFiles("collected", []androiddata.BrowserDB{{Browser: "Chrome", Package: "com.android.chrome", DB: mvtDB(t)}}))
	got := modtest.Records[browserhistory.Visit](t, res)
	if len(res.Errors) > 0 || len(got) != 1 {
		t.Fatalf("errors %+v visits %+v", res.Errors, got)
	}
	v := got[0]
	if v.URL != "https://example.org/path" || v.Title != "Example" || v.VisitID != 7 || v.Browser != "Chrome" || v.Transition != 805306368 ||
		!v.Time.Equal(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)) || !strings.HasSuffix(v.DevicePath, "/History") {
		t.Errorf("%+v", v)
	}
	if len(res.Timeline) != 1 || res.Timeline[0].Event != "visit" {
		t.Errorf("timeline %+v", res.Timeline)
	}
}

// TestBadEntries: a malformed database next to a good one spoils only
// itself (as MVT's test); an archive path that climbs out is refused,
// named and never read; a manifest entry missing a field, another schema,
// a listed WAL missing from the acquisition are problems naming the file.
func TestBrowserHistoryBadEntries(t *testing.T) {
	good := androiddata.BrowserDB{Browser: "Chrome", Package: "com.android.chrome", DB: mvtDB(t)}
	bad := androiddata.BrowserDB{Browser: "Brave", Package: "com.brave.browser", DB: []byte("not sqlite")}
	files := androiddata.BrowserFiles("collected", []androiddata.BrowserDB{bad, good})
	res := browserHistoryRun(t, files)
	if got := modtest.Records[browserhistory.Visit](t, res); len(got) != 1 || got[0].URL != "https://example.org/path" {
		t.Errorf("visits %+v", got)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "com.brave.browser/Default/History") || res.Errors[0].Kind != model.KindDamaged {
		t.Errorf("errors %+v", res.Errors)
	}

	escape := func(p string) map[string][]byte {
		m := map[string][]byte{"secret": mvtDB(t)}
		var man map[string]any
		json.Unmarshal(androiddata.BrowserManifest("collected", []androiddata.BrowserDB{good}), &man)
		man["databases"].([]any)[0].(map[string]any)["archive_path"] = p
		m[browserhistory.Manifest], _ = json.Marshal(man)
		return m
	}
	for _, p := range []string{"browser_history/../secret", "../secret", "/secret", `browser_history\..\secret`, "secret"} {
		res := browserHistoryRun(t, escape(p))
		if len(res.Records) != 0 || len(res.Errors) != 1 || res.Errors[0].Kind != model.KindRefused || !strings.Contains(res.Errors[0].Error, p[:2]) {
			t.Errorf("%s: records %d errors %+v", p, len(res.Records), res.Errors)
		}
		for _, f := range res.Files {
			if f == "secret" {
				t.Errorf("%s: secret read", p)
			}
		}
	}

	for _, tc := range []struct {
		name, manifest string
		kind           model.ProblemKind
	}{
		{"no package", `{"schema_version": 1, "databases": [{"browser": "Chrome", "profile": "Default", "device_path": "/x", "archive_path": "browser_history/x/History"}]}`, model.KindUnsupported},
		{"schema 2", `{"schema_version": 2, "databases": []}`, model.KindUnsupported},
		{"not json", `{"schema_version": 1, "databases": [`, model.KindDamaged},
		{"absent db", `{"schema_version": 1, "databases": [{"browser": "Chrome", "package": "p", "profile": "Default", "device_path": "/x", "archive_path": "browser_history/p/History"}]}`, model.KindMissing},
	} {
		res := browserHistoryRun(t, map[string][]byte{browserhistory.Manifest: []byte(tc.manifest)})
		if len(res.Errors) != 1 || res.Errors[0].Kind != tc.kind {
			t.Errorf("%s: errors %+v", tc.name, res.Errors)
		}
	}

	// a WAL the manifest lists but the acquisition lost: the visits only in
	// it are missing, so the read is incomplete
	lost := maps.Clone(androidbrowser.BrowserHistory())
	delete(lost, "browser_history/com.android.chrome/Default/History-wal")
	res = browserHistoryRun(t, lost)
	if len(res.Errors) != 1 || res.Errors[0].Kind != model.KindMissing || !strings.Contains(res.Errors[0].Error, "History-wal") {
		t.Errorf("lost WAL: errors %+v", res.Errors)
	}
	if modtest.Alerted(res, androiddata.PegasusDomain) {
		t.Error("visit only in the lost WAL was read")
	}
}

func TestBrowserHistoryRootUnavailable(t *testing.T) {
	res := browserHistoryRun(t, androiddata.BrowserFiles("root_unavailable", nil))
	if len(res.Errors) != 0 || len(res.Records) != 0 || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "root_unavailable") {
		t.Errorf("%+v", res)
	}
}

func TestBrowserHistoryNoManifest(t *testing.T) {
	if _, err := modtest.Run(t, browserhistory.New(), acquisition.AndroidQF, map[string][]byte{"getprop.txt": nil}); err == nil {
		t.Fatal("no manifest: want ErrNotFound")
	}
}

// FuzzEntry: any manifest entry is accepted only with a safe archive path
// and every required field.
func FuzzBrowserHistoryEntry(f *testing.F) {
	f.Add([]byte(`{"browser": "Chrome", "package": "p", "profile": "Default", "device_path": "/x", "archive_path": "browser_history/p/History", "sidecars": [{"archive_path": "x"}, 1]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		var e map[string]any
		if json.Unmarshal(b, &e) != nil {
			return
		}
		d, err := browserhistory.Entry(e)
		if err == nil && (!strings.HasPrefix(d.ArchivePath, browserhistory.Dir+"/") || strings.Contains("/"+d.ArchivePath+"/", "/../") || d.Package == "") {
			t.Fatalf("accepted %+v", d)
		}
	})
}
