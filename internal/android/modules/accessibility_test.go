package modules_test

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/accessibility"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestAccessibilityGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		kind  acquisition.Kind
		files map[string][]byte
	}{
		{"bugreport", acquisition.AndroidBugreport, androiddata.Bugreport(androiddata.Options{})},
		{"androidqf", acquisition.AndroidQF, androiddata.AndroidQF(androiddata.Options{})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := modtest.Run(t, accessibility.New(), tc.kind, tc.files)
			if err != nil {
				t.Fatal(err)
			}
			if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
				t.Error("stalkerware accessibility service not detected")
			}
			if len(res.Records) != 2 {
				t.Errorf("%d services", len(res.Records))
			}
			modtest.Golden(t, "accessibility."+tc.name, res)
		})
	}
}

func TestAccessibilityCutSection(t *testing.T) {
	files := map[string][]byte{"main_entry.txt": []byte("d.txt"),
		"d.txt": []byte("DUMP OF SERVICE accessibility:\nUser state[\n     Enabled services:{{com.a.b/com.a.b.S}}\n")}
	res, err := modtest.Run(t, accessibility.New(), acquisition.AndroidBugreport, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "d.txt") || len(res.Records) != 1 {
		t.Fatalf("errors %+v records %d", res.Errors, len(res.Records))
	}
}

func TestAccessibilityMissing(t *testing.T) {
	_, err := modtest.Run(t, accessibility.New(), acquisition.AndroidBugreport, map[string][]byte{"x.txt": nil})
	if err == nil {
		t.Fatal("want ErrNotFound")
	}
}

func FuzzAccessibilityParser(f *testing.F) {
	f.Add(androiddata.AccessibilityNew)
	f.Add(androiddata.AccessibilityOld)
	f.Add("installed services: {\n 0 : /\n 1 : a.b/\n}\nEnabled services:{{}{a/b}}")
	f.Fuzz(func(t *testing.T, s string) {
		var p accessibility.Parser
		for _, l := range strings.Split(s, "\n") {
			p.Line(l)
		}
		for _, sv := range p.Services {
			if !strings.HasPrefix(sv.Service, sv.PackageName+"/") {
				t.Fatalf("bad service %+v", sv)
			}
		}
	})
}
