package modules_test

import (
	"bytes"
	"testing"

	"github.com/spyscan/spyscan/internal/android/modules/aqfsettings"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestAQFSettingsGolden(t *testing.T) {
	modtest.GoldenCases(t, aqfsettings.New(), modtest.Cases()[1:], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		for _, sub := range []string{"secure/accessibility_enabled = \"1\"", "global/package_verifier_enable = \"0\""} {
			if !modtest.HasAlert(res, model.Medium, false, sub) {
				t.Errorf("missing %q", sub)
			}
		}
		// Safe values do not alert.
		for _, sub := range []string{"install_non_market_apps", "verifier_verify_adb_installs", "upload_apk_enable"} {
			modtest.NoAlertMentions(t, res, sub)
		}
		// The stalkerware app holding an accessibility service is an indicator hit.
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Error("stalkerware app in enabled_accessibility_services not detected")
		}
		if len(res.Alerts) != 3 || len(res.Records) != 10 {
			t.Errorf("alerts %d records %d", len(res.Alerts), len(res.Records))
		}
	})
}

func FuzzAQFSettingsParse(f *testing.F) {
	f.Add([]byte("a=b\n=c\nd\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ss, _ := aqfsettings.Parse(bytes.NewReader(b), "x")
		for _, s := range ss {
			if s.Key == "" {
				t.Fatal(s)
			}
		}
	})
}
