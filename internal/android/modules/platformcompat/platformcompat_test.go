package platformcompat

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestGolden(t *testing.T) {
	modtest.GoldenCases(t, New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) || len(res.Records) != 3 { // rawOverrides: 2 packages, packageOverrides: 1
			t.Errorf("records %d alerts %d", len(res.Records), len(res.Alerts))
		}
	})
}

// Every change's overrides are read, not only DOWNSCALED's: a package
// overridden for another change only was never checked. Version-bounded
// overrides print "[min,max,enabled]", whose commas do not split entries.
func TestParseLine(t *testing.T) {
	for _, tc := range []struct {
		line string
		want []Override
	}{
		{"ChangeId(168419799; name=DOWNSCALED; disabled; packageOverrides={org.example.a=false}; rawOverrides={org.example.a=false, com.example.gone=false}; overridable)",
			[]Override{
				{"org.example.a", "DOWNSCALED", 168419799, "rawOverrides", "false"},
				{"com.example.gone", "DOWNSCALED", 168419799, "rawOverrides", "false"},
				{"org.example.a", "DOWNSCALED", 168419799, "packageOverrides", "false"},
			}},
		{"ChangeId(189969744; name=DOWNSCALE_65; disabled; rawOverrides={com.example.spy=[1,9223372036854775807,true], com.example.b=true}; overridable)",
			[]Override{
				{"com.example.spy", "DOWNSCALE_65", 189969744, "rawOverrides", "[1,9223372036854775807,true]"},
				{"com.example.b", "DOWNSCALE_65", 189969744, "rawOverrides", "true"},
			}},
		{"ChangeId(174227820; disabled; rawOverrides={com.example.c=false})",
			[]Override{{"com.example.c", "174227820", 174227820, "rawOverrides", "false"}}},
		{"ChangeId(180326845; name=OVERRIDE_MIN_ASPECT_RATIO_MEDIUM; disabled; overridable)", nil},
		{"ChangeId(notanumber; rawOverrides={com.example.c=false})", nil},
		{"Not a change rawOverrides={com.example.c=false}", nil},
	} {
		got := ParseLine(tc.line)
		if tc.want == nil && got != nil || tc.want != nil && !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s\n got %+v\nwant %+v", tc.line, got, tc.want)
		}
	}
}

func TestCut(t *testing.T) {
	modtest.CutSection(t, New(), "DUMP OF SERVICE platform_compat:", "ChangeId(168419799; name=DOWNSCALED; rawOverrides={a.b=false")
}

func FuzzParseLine(f *testing.F) {
	f.Add("ChangeId(168419799; name=DOWNSCALED; disabled; rawOverrides={a.b=false, c.d=true}; overridable)")
	f.Add("ChangeId(168419799; name=DOWNSCALED;rawOverrides={")
	f.Fuzz(func(t *testing.T, s string) {
		for _, o := range ParseLine(s) {
			if !strings.Contains(s, o.PackageName) {
				t.Fatal(o)
			}
		}
	})
}
