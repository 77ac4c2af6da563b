package modules_test

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/modules/activities"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestActivitiesGolden(t *testing.T) {
	modtest.GoldenCases(t, activities.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Error("stalkerware activity not detected")
		}
		if len(res.Records) != 3 {
			t.Errorf("%d records", len(res.Records))
		}
	})
}

func TestActivitiesCut(t *testing.T) {
	res := modtest.CutSection(t, activities.New(), "DUMP OF SERVICE package:",
		"Activity Resolver Table:\n  Non-Data Actions:\n      android.intent.action.MAIN:\n        1 com.a.b/.Main filter 2\n")
	if len(res.Records) != 1 {
		t.Errorf("records %d", len(res.Records))
	}
}

func FuzzActivitiesResolver(f *testing.F) {
	f.Add("Activity Resolver Table:\n  Non-Data Actions:\n      a:\n        1 com.a.b/.M\n        x\n")
	f.Fuzz(func(t *testing.T, s string) {
		r := dumpmod.Resolver{Title: "Activity Resolver Table:"}
		for _, l := range strings.Split(s, "\n") {
			r.Line(l)
		}
		for _, e := range r.Entries {
			if !strings.HasPrefix(e.Component, e.PackageName+"/") {
				t.Fatalf("%+v", e)
			}
		}
	})
}
