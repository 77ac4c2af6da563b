package tcc_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/tcc"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestGolden(t *testing.T) {
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
func TestOldSchema(t *testing.T) {
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

func TestCorrupt(t *testing.T) {
	res, err := modtest.Run(t, tcc.New(), acquisition.IOSBackup, fstest.MapFS{"HomeDomain/Library/TCC/TCC.db": {Data: []byte("SQLite format 3\x00garbage")}})
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "TCC.db") {
		t.Errorf("%v %+v", err, res.Errors)
	}
}
