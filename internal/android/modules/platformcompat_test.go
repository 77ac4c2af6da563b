package modules_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/modules/platformcompat"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestPlatformCompatGolden(t *testing.T) {
	modtest.GoldenCases(t, platformcompat.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) || len(res.Records) != 3 { // rawOverrides: 2 packages, packageOverrides: 1
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

// Every change's overrides are read, not only DOWNSCALED's: a package
// overridden for another change only was never checked. Version-bounded
// overrides print "[min,max,enabled]", whose commas do not split entries.
func TestPlatformCompatParseLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []platformcompat.Override
	}{
		{"ChangeId(168419799; name=DOWNSCALED; disabled; packageOverrides={org.example.a=false}; rawOverrides={org.example.a=false, com.example.gone=false}; overridable)",
			[]platformcompat.Override{
				{PackageName: "org.example.a", Change: "DOWNSCALED", ChangeID: 168419799, Map: "rawOverrides", Value: "false"},
				{PackageName: "com.example.gone", Change: "DOWNSCALED", ChangeID: 168419799, Map: "rawOverrides", Value: "false"},
				{PackageName: "org.example.a", Change: "DOWNSCALED", ChangeID: 168419799, Map: "packageOverrides", Value: "false"},
			}},
		{"ChangeId(189969744; name=DOWNSCALE_65; disabled; rawOverrides={com.example.spy=[1,9223372036854775807,true], com.example.b=true}; overridable)",
			[]platformcompat.Override{
				{PackageName: "com.example.spy", Change: "DOWNSCALE_65", ChangeID: 189969744, Map: "rawOverrides", Value: "[1,9223372036854775807,true]"},
				{PackageName: "com.example.b", Change: "DOWNSCALE_65", ChangeID: 189969744, Map: "rawOverrides", Value: "true"},
			}},
		{"ChangeId(174227820; disabled; rawOverrides={com.example.c=false})",
			[]platformcompat.Override{{PackageName: "com.example.c", Change: "174227820", ChangeID: 174227820, Map: "rawOverrides", Value: "false"}}},
		{"ChangeId(180326845; name=OVERRIDE_MIN_ASPECT_RATIO_MEDIUM; disabled; overridable)", nil},
		{"ChangeId(notanumber; rawOverrides={com.example.c=false})", nil},
		{"Not a change rawOverrides={com.example.c=false}", nil},
	} {
		got := platformcompat.ParseLine(tc.line)
		if tc.want == nil && got != nil || tc.want != nil && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s\n got %+v\nwant %+v", tc.line, got, tc.want)
		}
	}
}
