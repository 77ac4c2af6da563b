package modules_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/osanalyticsaddaily"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestOSAnalyticsADDailyGolden(t *testing.T) {
	modtest.GoldenLayouts(t, osanalyticsaddaily.New(), iosdata.OSAnalyticsADDaily(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, `"`+iosdata.PegasusProcess+`"`) {
			t.Error("planted Pegasus process not found")
		}
		modtest.NoAlertMentions(t, res, "bhd")
		if res.Seen != 5 || len(res.Timeline) != 5 || len(res.Alerts) != 1 || len(res.Notes) != 1 || len(res.Errors) != 0 {
			t.Errorf("seen %d, events %d, alerts %d, notes %v, errors %v", res.Seen, len(res.Timeline), len(res.Alerts), res.Notes, res.Errors)
		}
	})
}

func TestOSAnalyticsADDailyBadFiles(t *testing.T) {
	res, err := modtest.Run(t, osanalyticsaddaily.New(), acquisition.IOSBackup,
		map[string][]byte{"HomeDomain/Library/Preferences/com.apple.osanalytics.addaily.plist": []byte("bplist00garbage")})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "addaily.plist") {
		t.Fatalf("errors %v", res.Errors)
	}
	res, err = modtest.Run(t, osanalyticsaddaily.New(), acquisition.IOSBackup,
		map[string][]byte{"HomeDomain/Library/Preferences/com.apple.osanalytics.addaily.plist": []byte("<plist><dict/></plist>")})
	if err != nil || len(res.Notes) != 1 || res.Seen != 0 {
		t.Fatalf("no baseline: %v %v", err, res.Notes)
	}
	_, err = modtest.Run(t, osanalyticsaddaily.New(), acquisition.IOSFilesystem, map[string][]byte{"private/var/x": nil})
	if !errors.Is(err, module.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func FuzzOSAnalyticsADDailyParse(f *testing.F) {
	files := iosdata.OSAnalyticsADDaily()
	f.Add(files[0].Data)
	f.Fuzz(func(t *testing.T, b []byte) {
		recs, bad, err := osanalyticsaddaily.Parse(b)
		if err != nil {
			return
		}
		if bad < 0 {
			t.Fatal("negative count")
		}
		if _, err := json.Marshal(recs); err != nil {
			t.Fatalf("records not JSON-encodable: %v", err)
		}
	})
}
