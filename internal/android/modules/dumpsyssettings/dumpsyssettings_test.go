package dumpsyssettings

import (
	"testing"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

// TestGolden reads the settings section of the generated bugreport: Play
// Protect off and accessibility on in the owner's profile are flagged; the
// safe values, the work profile's accessibility off and the history lines
// are not. The stalkerware app named in enabled_accessibility_services is
// checked as an app.
func TestGolden(t *testing.T) {
	modtest.GoldenCases(t, New(), modtest.Cases()[:1], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Medium, false, "package_verifier_enable") || !modtest.HasAlert(res, model.Medium, false, "accessibility_enabled") {
			t.Errorf("dangerous settings not flagged: %+v", res.Alerts)
		}
		modtest.NoAlertMentions(t, res, "verifier_verify_adb_installs")
		modtest.NoAlertMentions(t, res, "user_10")
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Errorf("stalkerware app given accessibility not detected: %+v", res.Alerts)
		}
		ss := modtest.Records[Setting](t, res)
		if len(ss) != 9 || len(res.Alerts) != 3 {
			t.Fatalf("%d settings, %d alerts: %+v", len(ss), len(res.Alerts), res.Alerts)
		}
	})
}

func TestLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want Setting
		ok   bool
	}{
		{"_id:41 name:adb_enabled pkg:android value:1 default:0 defaultSystemSet:true", Setting{Key: "adb_enabled", Package: "android", Value: "1", Default: "0"}, true},
		{"_id:192 name:ringtone_set pkg:com.google.android.gsf value:1", Setting{Key: "ringtone_set", Package: "com.google.android.gsf", Value: "1"}, true},
		{"_id:311 name:accessibility_enabled pkg:android value:1 tag:null", Setting{Key: "accessibility_enabled", Package: "android", Value: "1"}, true},
		{"_id:9 name:install_non_market_apps value:1", Setting{Key: "install_non_market_apps", Value: "1"}, true},
		{"_id:90 name:device_name pkg:com.android.settings value:Pixel 6 default:Pixel 6 defaultSystemSet:false", Setting{Key: "device_name", Package: "com.android.settings", Value: "Pixel 6", Default: "Pixel 6"}, true},
		{"  _id:51 name:system_locales pkg:android value:en-US,es-MX default:en-US defaultSystemSet:true", Setting{Key: "system_locales", Package: "android", Value: "en-US,es-MX", Default: "en-US"}, true},
		{"time:05-19 22:10:01.000 mode:update oldValue:0 newValue:1 package:com.android.settings", Setting{}, false},
		{"_id:1 value:1", Setting{}, false},
		{"version: 213", Setting{}, false},
	} {
		p := Parser{namespace: "global"}
		got, ok := p.Line(tc.line)
		tc.want.Namespace = "global"
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("%q:\n got %+v %v\nwant %+v", tc.line, got, ok, tc.want)
		}
	}
}

// TestHeadings: a setting line before any heading is not read; the heading
// sets the namespace and user.
func TestHeadings(t *testing.T) {
	var p Parser
	if _, ok := p.Line("_id:1 name:a pkg:android value:1"); ok {
		t.Fatal("setting read before any heading")
	}
	p.Line("SECURE SETTINGS (user 10)")
	s, ok := p.Line("_id:1 name:a pkg:android value:1")
	if !ok || s.Namespace != "secure" || s.User != 10 || namespaceOf(s) != "secure:user_10" {
		t.Fatalf("%+v %v", s, ok)
	}
}

func TestCut(t *testing.T) {
	res := modtest.CutSection(t, New(), "DUMP OF SERVICE settings:", "GLOBAL SETTINGS (user 0)\n_id:57 name:package_verifier_enable pkg:com.android.vending value:0\n")
	if len(res.Records) != 1 || len(res.Alerts) != 1 {
		t.Errorf("records %d alerts %+v", len(res.Records), res.Alerts)
	}
}

func FuzzLine(f *testing.F) {
	f.Add("GLOBAL SETTINGS (user 0)", "_id:41 name:adb_enabled pkg:android value:1 default:0 defaultSystemSet:true")
	f.Add("SECURE SETTINGS (user 10)", "_id:1 name: value: tag: default:")
	f.Fuzz(func(t *testing.T, heading, line string) {
		var p Parser
		p.Line(heading)
		if s, ok := p.Line(line); ok && (s.Key == "" || s.Namespace == "") {
			t.Fatalf("%+v", s)
		}
	})
}
