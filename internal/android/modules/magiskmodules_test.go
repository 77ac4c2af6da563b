package modules_test

import (
	"maps"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/magiskmodules"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestMagiskModulesGolden(t *testing.T) {
	modtest.GoldenQF(t, magiskmodules.New(), androiddata.MagiskModules(), func(t *testing.T, _ string, res model.ModuleResult) {
		if len(res.Errors) > 0 || len(res.Records) != 4 || len(res.Notes) != 1 {
			t.Errorf("errors %+v records %d notes %v", res.Errors, len(res.Records), res.Notes)
		}
		modtest.WantAlert(t, res, model.Critical, true, androiddata.PegasusDomain)
		modtest.NoAlertMentions(t, res, androiddata.LookalikeDomain)
		modtest.WantAlert(t, res, model.Medium, false, "Systemless Hosts")
		modtest.WantAlert(t, res, model.Medium, false, "Clean Tweaks")
		modtest.WantAlert(t, res, model.Medium, false, "broken")
		modtest.WantFiles(t, res, "magisk_modules/manifest.json", "magisk_modules/0000/module.prop",
			"magisk_modules/0001/module.prop", "magisk_modules/0002/module.prop")
	})
}

func magiskModulesRun(t *testing.T, files map[string][]byte) model.ModuleResult {
	t.Helper()
	res, err := modtest.Run(t, magiskmodules.New(), acquisition.AndroidQF, files)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestMVTKnownAnswers: the module.prop and manifest entries of MVT's
// published tests (tests/android_androidqf/test_magisk_modules.py) give
// the values its tests assert.
func TestMagiskModulesMVTKnownAnswers(t *testing.T) {
	prop := strings.Join([]string{"# Example module", "id=example.module", "name=Example Module", "version=1.2.3", "versionCode=12",
		"author=Example Author", "description=Example=with an equals sign", "updateJson=https://example.invalid/update.json",
		"customKey=custom value", "malformed line"}, "\n")
	res := magiskModulesRun(t, map[string][]byte{
		"magisk_modules/0000/module.prop": []byte(prop),
		"secret":                          []byte("id=must-not-be-read"), magiskmodules.Manifest: androiddata.MagiskManifest("collected", []androiddata.MagiskEntry{
			{DevicePath: "/data/adb/modules/example.module", DirectoryName: "example.module", ModulePropPath: "magisk_modules/0000/module.prop",
				ModulePropStatus: "collected", StateFiles: []string{"disable", "update"}, StateFilesComplete: true},
			{DevicePath: "/data/adb/modules/incomplete", DirectoryName: "incomplete", ModulePropStatus: "missing", StateFiles: []string{}},
			{DevicePath: "/data/adb/modules/unsafe", DirectoryName: "unsafe", ModulePropPath: "../secret", ModulePropStatus: "collected",
				StateFiles: []string{}, StateFilesComplete: true},
		}),
	})
	got := modtest.Records[magiskmodules.Module](t, res)
	if len(got) != 3 {
		t.Fatalf("records %+v", got)
	}
	ex := got[0]
	if ex.ID != "example.module" || ex.ModName != "Example Module" || ex.Version != "1.2.3" || ex.VersionCode != "12" ||
		ex.Author != "Example Author" || ex.Description != "Example=with an equals sign" || ex.UpdateJSON != "https://example.invalid/update.json" ||
		ex.Properties["customKey"] != "custom value" || !*ex.Disabled || *ex.RemovalPending || !*ex.UpdatePending {
		t.Errorf("example: %+v", ex)
	}
	if in := got[1]; in.Disabled != nil || in.RemovalPending != nil || in.UpdatePending != nil || len(in.Properties) != 0 {
		t.Errorf("incomplete: %+v", in)
	}
	// the unsafe path is refused, named as a problem, and never read
	if un := got[2]; un.ID != "" || len(un.Properties) != 0 {
		t.Errorf("unsafe: %+v", un)
	}
	if len(res.Errors) != 1 || res.Errors[0].Kind != model.KindRefused || !strings.Contains(res.Errors[0].Error, `"../secret"`) {
		t.Errorf("errors %+v", res.Errors)
	}
	for _, f := range res.Files {
		if f == "secret" {
			t.Error("../secret was read")
		}
	}
	if modtest.Alerted(res, "must-not-be-read") {
		t.Error("secret content reached an alert")
	}
}

func TestMagiskModulesBadManifests(t *testing.T) {
	base := androiddata.MagiskModules()
	for _, tc := range []struct {
		name     string
		manifest string
		kind     model.ProblemKind
	}{
		{"schema 2", `{"schema_version": 2, "modules": []}`, model.KindUnsupported},
		{"modules not a list", `{"schema_version": 1, "modules": {"a": 1}}`, model.KindUnsupported},
		{"truncated", `{"schema_version": 1, "modules": [`, model.KindDamaged},
		{"entry not an object", `{"schema_version": 1, "modules": [7]}`, model.KindUnsupported},
	} {
		files := maps.Clone(base)
		files[magiskmodules.Manifest] = []byte(tc.manifest)
		res := magiskModulesRun(t, files)
		if len(res.Errors) != 1 || res.Errors[0].Kind != tc.kind || !strings.Contains(res.Errors[0].Error, magiskmodules.Manifest) {
			t.Errorf("%s: errors %+v", tc.name, res.Errors)
		}
	}
	// a module.prop the manifest names but the acquisition lacks; one too large
	files := maps.Clone(base)
	delete(files, "magisk_modules/0000/module.prop")
	files["magisk_modules/0002/module.prop"] = []byte(strings.Repeat("k=v\n", magiskmodules.MaxProp/4+1))
	res := magiskModulesRun(t, files)
	if len(res.Errors) != 2 || res.Errors[0].Kind != model.KindMissing || res.Errors[1].Kind != model.KindRefused || len(res.Records) != 4 {
		t.Errorf("errors %+v records %d", res.Errors, len(res.Records))
	}
}

func TestMagiskModulesNoManifest(t *testing.T) {
	if _, err := modtest.Run(t, magiskmodules.New(), acquisition.AndroidQF, map[string][]byte{"magisk_modules/0000/module.prop": []byte("id=x")}); err == nil {
		t.Fatal("no manifest: want ErrNotFound")
	}
}

func TestMagiskModulesParseProp(t *testing.T) {
	got := magiskmodules.ParseProp(" id = a.b \r\n#c=d\n\n=novalue\nname=x=y\nid=later\n")
	want := map[string]string{"id": "later", "name": "x=y"}
	if !maps.Equal(got, want) {
		t.Errorf("%v", got)
	}
}

// FuzzParseProp: any module.prop up to MaxProp parses; keys are never
// empty and never hold '='.
func FuzzMagiskModulesParseProp(f *testing.F) {
	f.Add("id=a\nname=b=c\n# x\n")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > magiskmodules.MaxProp {
			return
		}
		for k := range magiskmodules.ParseProp(s) {
			if k == "" || strings.Contains(k, "=") {
				t.Fatalf("key %q", k)
			}
		}
	})
}

// TestPropLimit: a module.prop of MaxProp bytes is read; one byte more is
// refused, naming the file, and the module is still listed.
func TestMagiskModulesPropLimit(t *testing.T) {
	for _, tc := range []struct {
		size int
		errs int
	}{{magiskmodules.MaxProp, 0}, {magiskmodules.MaxProp + 1, 1}} {
		files := maps.Clone(androiddata.MagiskModules())
		p := "magisk_modules/0000/module.prop"
		files[p] = []byte("id=big\n" + strings.Repeat("#", tc.size-len("id=big\n")))
		res := magiskModulesRun(t, files)
		if len(res.Errors) != tc.errs || len(res.Records) != 4 || (tc.errs == 1 && (res.Errors[0].Kind != model.KindRefused || !strings.Contains(res.Errors[0].Error, p))) {
			t.Errorf("%d bytes: errors %+v records %d", tc.size, res.Errors, len(res.Records))
		}
	}
}
