package modules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/android/modules/batteryhistory"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestBatteryHistoryGolden(t *testing.T) {
	modtest.GoldenCases(t, batteryhistory.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Error("stalkerware not detected")
		}
		if !modtest.HasAlert(res, model.Medium, false, "\"com.example.flashlight\" was uninstalled") {
			t.Error("uninstall not flagged")
		}
		if len(res.Records) != 7 || len(res.Timeline) != 7 {
			t.Errorf("records %d events %d", len(res.Records), len(res.Timeline))
		}
	})
}

func TestBatteryHistoryRelativeTimes(t *testing.T) {
	var p batteryhistory.Parser
	for _, l := range []string{"Battery History (1%):", "   0 (9) RESET:TIME: 2024-05-18-09-00-00",
		"    +1d2h3m4s5ms (2) 080 +top=u0a1:\"a.b\""} {
		p.Line(l)
	}
	want := time.Date(2024, 5, 19, 11, 3, 4, 5e6, time.UTC)
	if len(p.Events) != 1 || !p.Events[0].Time.Equal(want) {
		t.Fatalf("%+v", p.Events)
	}
}

func TestBatteryHistoryCut(t *testing.T) {
	modtest.CutSection(t, batteryhistory.New(), "DUMP OF SERVICE batterystats:", "Battery History (0%):\n  0 (2) 100 +job=u0a1:\"a.b/.J\"\n")
}

func FuzzBatteryHistoryParser(f *testing.F) {
	f.Add("Battery History (1%):\n 0 (9) RESET:TIME: 2024-05-18-09-00-00\n +47s645ms (2) 100 +job=u0a1:\"a.b/.J\" pkgunin=u0a2:\"c.d\"\n +99999999999d x\n")
	f.Add("Battery History \n RESET:TIME: \n +h (2) -top=:\"\" +wake_lock=u:\"*walarm*:\"")
	f.Fuzz(func(t *testing.T, s string) {
		var p batteryhistory.Parser
		for _, l := range strings.Split(s, "\n") {
			p.Line(l)
		}
		for _, e := range p.Events {
			if e.Event == "" || e.PackageName == "" {
				t.Fatal(e)
			}
		}
	})
}
