package modules_test

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/modules/batterydaily"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestBatteryDailyGolden(t *testing.T) {
	modtest.GoldenCases(t, batterydaily.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		for _, want := range []struct {
			level model.Level
			ind   bool
			sub   string
		}{
			{model.Critical, true, androiddata.StalkerAppID},
			{model.Medium, false, "\"com.example.flashlight\" was uninstalled"},
			{model.Medium, false, "\"com.example.notes\" was downgraded from version 310 to 120"},
		} {
			if !modtest.HasAlert(res, want.level, want.ind, want.sub) {
				t.Errorf("missing alert %q", want.sub)
			}
		}
		if len(res.Records) != 5 || len(res.Timeline) != 5 {
			t.Errorf("records %d events %d", len(res.Records), len(res.Timeline))
		}
	})
}

func TestBatteryDailyCut(t *testing.T) {
	modtest.CutSection(t, batterydaily.New(), "DUMP OF SERVICE batterystats:", "Daily stats:\n  Daily from 2024-05-18-01-00-00 to 2024-05-19-01-00-00:\n    Package changes:\n      Update a.b vers=0\n")
}

func FuzzBatteryDailyParser(f *testing.F) {
	f.Add("  Daily from 2024-05-18-01-00-00 to 2024-05-19-01-00-00:\n      Update a.b vers=3\n      Update a.b vers=0\n  Daily from x to y:\n      Update a.b vers=2\n")
	f.Add("  Daily from :\n Update  vers=")
	f.Fuzz(func(t *testing.T, s string) {
		var p batterydaily.Parser
		for _, l := range strings.Split(s, "\n") {
			p.Line(l)
		}
		p.Classify()
		for _, c := range p.Changes {
			if c.Action == "downgrade" && c.PreviousVers == "" {
				t.Fatal(c)
			}
		}
	})
}
