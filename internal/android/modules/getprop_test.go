package modules_test

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/modules/getprop"
	"github.com/spyscan/spyscan/internal/android/props"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestGetpropGolden(t *testing.T) {
	modtest.GoldenCases(t, getprop.New(), modtest.Cases()[:1], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.CampaignProperty) {
			t.Error("campaign property not detected")
		}
		if !modtest.HasAlert(res, model.Medium, false, "security update") {
			t.Error("old patch not reported")
		}
		modtest.NoAlertMentions(t, res, androiddata.LookalikeProperty)
	})
}

func TestGetpropCut(t *testing.T) {
	res := modtest.CutSection(t, getprop.New(), "------ SYSTEM PROPERTIES (getprop) ------", "[a.b]: [1]\n[ro.build.version.security_patch]: [2024-05-01]\n")
	if len(res.Records) != 2 || len(res.Alerts) != 0 {
		t.Errorf("records %d alerts %d", len(res.Records), len(res.Alerts))
	}
}

func FuzzGetpropParseLine(f *testing.F) {
	f.Add("[ro.build.version.sdk]: [34]")
	f.Add("[]: []")
	f.Add("[a]: [b]: [c]")
	f.Fuzz(func(t *testing.T, s string) {
		p, ok := props.ParseLine(s)
		if ok && (p.Name == "" || !strings.Contains(s, p.Name)) {
			t.Fatalf("%q -> %+v", s, p)
		}
	})
}
