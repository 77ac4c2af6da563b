package modules_test

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/modules/platformcompat"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestPlatformCompatGolden(t *testing.T) {
	modtest.GoldenCases(t, platformcompat.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) || len(res.Records) != 2 {
			t.Errorf("records %d alerts %d", len(res.Records), len(res.Alerts))
		}
	})
}

func TestPlatformCompatCut(t *testing.T) {
	modtest.CutSection(t, platformcompat.New(), "DUMP OF SERVICE platform_compat:", "ChangeId(168419799; name=DOWNSCALED; rawOverrides={a.b=false")
}

func FuzzPlatformCompatParseLine(f *testing.F) {
	f.Add("ChangeId(168419799; name=DOWNSCALED; disabled; rawOverrides={a.b=false, c.d=true}; overridable)")
	f.Add("ChangeId(168419799; name=DOWNSCALED;rawOverrides={")
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range platformcompat.ParseLine(s) {
			if !strings.Contains(s, o.PackageName) {
				t.Fatal(o)
			}
		}
	})
}
