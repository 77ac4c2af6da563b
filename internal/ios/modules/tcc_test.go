package modules_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/tcc"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestTCCGolden(t *testing.T) {
	modtest.GoldenLayouts(t, tcc.New(), iosdata.TCC(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusProcess2)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.StalkerwareAppID)
		// A bundle-id client is a process too, as in MVT: Pegasus's
		// com.apple.rapports.events is a process indicator, not an app id.
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusBundleProcess)
		modtest.WantAlert(t, res, model.Medium, false, "/private/var/tmp/"+iosdata.PegasusProcess2)
		modtest.NoAlertMentions(t, res, "notapspy")
		modtest.NoAlertMentions(t, res, iosdata.CleanProcess)
		if res.Seen != 6 || len(res.Timeline) != 6 {
			t.Errorf("seen %d events %d", res.Seen, len(res.Timeline))
		}
	})
}

// iOS 11 and older: "allowed" and "prompt_count" instead of auth_value.
func TestTCCOldSchema(t *testing.T) {
	db := iosdata.BuildDB([]string{`CREATE TABLE access (service TEXT NOT NULL, client TEXT NOT NULL, client_type INTEGER NOT NULL, allowed INTEGER NOT NULL, prompt_count INTEGER NOT NULL, csreq BLOB, policy_id INTEGER)`},
		[]iosgen.Stmt{iosgen.Ins("access", "service, client, client_type, allowed, prompt_count", "kTCCServiceCamera", iosdata.StalkerwareAppID, 0, 1, 1)})
	res, err := modtest.Run(t, tcc.New(), acquisition.IOSBackup, fstest.MapFS{"HomeDomain/Library/TCC/TCC.db": {Data: db}})
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	modtest.WantAlert(t, res, model.Critical, true, iosdata.StalkerwareAppID)
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "last_modified") || !strings.Contains(string(res.Records[0]), `"allowed"`) {
		t.Errorf("notes %q records %s", res.Notes, res.Records)
	}
}

func TestTCCCorrupt(t *testing.T) {
	res, err := modtest.Run(t, tcc.New(), acquisition.IOSBackup, fstest.MapFS{"HomeDomain/Library/TCC/TCC.db": {Data: []byte("SQLite format 3\x00garbage")}})
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "TCC.db") {
		t.Errorf("%v %+v", err, res.Errors)
	}
}

// A real TCC.db (plaso's test data, Apache-2.0; see
// testdata/plaso/SOURCES.md), in a backup and in a dump, against the rows
// read with the sqlite3 CLI: every grant in order, its service, client,
// value, prompt count and time, and no alert (Apple, Chrome, Spotify,
// Adobe and 1Password clients).
func TestTCCRealTCCDB(t *testing.T) {
	db, err := os.ReadFile("testdata/plaso/TCC-test.db")
	if err != nil {
		t.Fatal(err)
	}
	// sqlite3 -readonly TCC-test.db "select service, client, client_type,
	// allowed, prompt_count, last_modified from access order by
	// last_modified, service, client": client_type 0, allowed 1 and
	// prompt_count 1 on every row.
	want := []struct{ service, client, time string }{
		{"kTCCServiceUbiquity", "com.apple.weather", "2020-05-29T12:09:51Z"},
		{"kTCCServiceLiverpool", "com.apple.TrustedPeersHelper", "2020-05-29T12:10:10Z"},
		{"kTCCServiceUbiquity", "com.apple.Automator", "2020-05-29T12:15:40Z"},
		{"kTCCServiceUbiquity", "com.apple.ScriptEditor2", "2020-05-29T12:15:40Z"},
		{"kTCCServiceUbiquity", "com.apple.garageband10", "2020-05-29T12:15:40Z"},
		{"kTCCServiceUbiquity", "com.apple.Preview", "2020-05-29T12:15:41Z"},
		{"kTCCServiceUbiquity", "com.apple.iWork.Keynote", "2020-05-29T12:15:41Z"},
		{"kTCCServiceUbiquity", "com.apple.iWork.Numbers", "2020-05-29T12:15:41Z"},
		{"kTCCServiceUbiquity", "com.apple.iBooksX", "2020-05-29T12:15:42Z"},
		{"kTCCServiceUbiquity", "com.apple.iMovieApp", "2020-05-29T12:15:42Z"},
		{"kTCCServiceUbiquity", "com.apple.iWork.Pages", "2020-05-29T12:15:42Z"},
		{"kTCCServiceUbiquity", "com.apple.QuickTimePlayerX", "2020-05-29T12:15:43Z"},
		{"kTCCServiceUbiquity", "com.apple.TextEdit", "2020-05-29T12:15:43Z"},
		{"kTCCServiceUbiquity", "com.apple.mail", "2020-05-29T12:15:43Z"},
		{"kTCCServiceLiverpool", "com.apple.stocks-widget-container", "2020-05-29T14:02:04Z"},
		{"kTCCServiceSystemPolicyDownloadsFolder", "com.agilebits.onepassword7", "2020-05-29T15:35:30Z"},
		{"kTCCServiceSystemPolicyDownloadsFolder", "com.spotify.client", "2020-05-29T16:09:19Z"},
		{"kTCCServiceSystemPolicyDownloadsFolder", "com.adobe.Install", "2020-05-29T16:11:13Z"},
		{"kTCCServiceMicrophone", "com.google.Chrome", "2020-06-10T14:57:32Z"},
		{"kTCCServiceCamera", "com.google.Chrome", "2020-06-10T14:57:33Z"},
		{"kTCCServiceSystemPolicyDownloadsFolder", "com.adobe.illustrator", "2020-06-16T20:34:20Z"},
	}
	for _, c := range []struct {
		kind acquisition.Kind
		path string
	}{
		{acquisition.IOSBackup, "HomeDomain/Library/TCC/TCC.db"},
		{acquisition.IOSFilesystem, "private/var/mobile/Library/TCC/TCC.db"},
	} {
		t.Run(string(c.kind), func(t *testing.T) {
			res, err := modtest.Run(t, tcc.New(), c.kind, fstest.MapFS{c.path: {Data: db}})
			if err != nil || len(res.Errors) > 0 {
				t.Fatal(err, res.Errors)
			}
			if res.Seen != len(want) || len(res.Records) != len(want) || len(res.Timeline) != len(want) || len(res.Alerts) != 0 || len(res.Notes) != 0 {
				t.Fatalf("seen %d records %d events %d alerts %+v notes %q", res.Seen, len(res.Records), len(res.Timeline), res.Alerts, res.Notes)
			}
			for i, w := range want {
				var a tcc.Access
				if err := json.Unmarshal(res.Records[i], &a); err != nil {
					t.Fatal(err)
				}
				wt, _ := time.Parse(time.RFC3339, w.time)
				if a.Service != w.service || a.Client != w.client || a.ClientType != "bundle_id" || a.AuthValue != "allowed" ||
					a.PromptCount != 1 || a.LastModified != wt.Format("2006-01-02 15:04:05.000000") || a.DB != c.path {
					t.Errorf("row %d: %+v, want %+v", i, a, w)
				}
				if !res.Timeline[i].Time.Equal(wt) {
					t.Errorf("event %d at %v, want %v", i, res.Timeline[i].Time, wt)
				}
			}
		})
	}
}
