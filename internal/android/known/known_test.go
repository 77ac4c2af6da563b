package known

import (
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/model"
)

func TestPackageFindings(t *testing.T) {
	for _, tc := range []struct {
		p       Package
		reasons []string
	}{
		{Package{Name: "com.topjohnwu.magisk", Installer: "com.android.vending", HasInst: true}, []string{ReasonRootPackage}},
		{Package{Name: "a.b", Installer: "com.android.packageinstaller", HasInst: true}, []string{ReasonBrowserInstall}},
		{Package{Name: "a.b", Installer: "null", HasInst: true}, []string{ReasonNullInstaller}},
		{Package{Name: "a.b", Installer: "null", HasInst: true, System: true}, nil},
		{Package{Name: "a.b", HasInst: false}, nil}, // no installer key: nothing to say
		{Package{Name: "a.b", Installer: "org.fdroid.fdroid", HasInst: true}, []string{ReasonThirdPartyStore}},
		{Package{Name: "com.wssyncmldm", Installer: "null", HasInst: true, System: true, Disabled: true}, []string{ReasonUpdateDisabled}},
		{Package{Name: "com.policydm", Installer: "null", HasInst: true, System: true, Disabled: true}, []string{ReasonSecurityDisabled}},
		{Package{Name: "com.policydm", Installer: "null", HasInst: true, System: true}, nil},
		{Package{Name: "com.whatsapp", Installer: "com.android.vending", HasInst: true}, nil},
	} {
		fs := PackageFindings(tc.p)
		if len(fs) != len(tc.reasons) {
			t.Errorf("%+v: %+v", tc.p, fs)
			continue
		}
		for i, f := range fs {
			if f.ID != tc.reasons[i] || f.Benign.IsZero() || f.Title.IsZero() || f.Reason.Key != "android.reason."+f.ID {
				t.Errorf("%+v: %+v", tc.p, f)
			}
		}
	}
}

func TestSettingFinding(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		want       bool
	}{
		{"package_verifier_enable", "0", true},
		{"package_verifier_enable", "1", false},
		{"accessibility_enabled", "1", true},
		{"accessibility_enabled", "0", false},
		{"install_non_market_apps", "1", true},
		{"screen_brightness", "0", false},
	} {
		f, ok := SettingFinding("secure", tc.key, tc.value)
		if ok != tc.want || (ok && (f.Level != model.Medium || f.ID != ReasonDangerousSetting)) {
			t.Errorf("%s=%s: %v %+v", tc.key, tc.value, ok, f)
		}
	}
}

func TestSettingApps(t *testing.T) {
	for _, tc := range []struct {
		key, value string
		want       []string
	}{
		{"enabled_accessibility_services", "com.ispyoo/com.ispyoo.AccessService", []string{"com.ispyoo"}},
		{"enabled_accessibility_services", "com.a/.Svc:com.b/com.b.Svc:com.a/.Other", []string{"com.a", "com.b"}},
		{"enabled_input_methods", "com.google.android.inputmethod.latin/com.android.inputmethod.latin.LatinIME;-921088104:com.x/.Ime", []string{"com.google.android.inputmethod.latin", "com.x"}},
		{"enabled_accessibility_services", "null", nil},
		{"enabled_accessibility_services", "", nil},
		{"screen_brightness", "com.a/.Svc", nil},
	} {
		if got := SettingApps(tc.key, tc.value); !slices.Equal(got, tc.want) {
			t.Errorf("%s=%q: %q, want %q", tc.key, tc.value, got, tc.want)
		}
	}
}
