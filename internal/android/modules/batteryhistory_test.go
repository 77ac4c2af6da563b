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

// Elapsed times count from the RESET:TIME origin; a later TIME: line (the
// clock was set) moves the origin of the elapsed times after it.
func TestBatteryHistoryRelativeTimes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  time.Time
	}{
		{"from the reset", []string{"    +1d2h3m4s5ms (2) 080 +top=u0a1:\"a.b\""},
			time.Date(2024, 5, 19, 11, 3, 4, 5e6, time.UTC)},
		{"after a clock change", []string{"    +1h00m00s000ms (2) 080 TIME:2024-05-18-12-00-00",
			"    +1h00m05s000ms (2) 080 +top=u0a1:\"a.b\""},
			time.Date(2024, 5, 18, 12, 0, 5, 0, time.UTC)},
	} {
		var p batteryhistory.Parser
		for _, l := range append([]string{"Battery History (1%):", "   0 (9) RESET:TIME: 2024-05-18-09-00-00"}, tc.lines...) {
			p.Line(l)
		}
		if len(p.Events) != 1 || !p.Events[0].Time.Equal(tc.want) {
			t.Errorf("%s: %+v", tc.name, p.Events)
		}
	}
}

// Wake locks name their app without a component, and schedulers decorate
// job names: the app is still found (as MVT since 2026-08), and a name that
// holds none gives no event.
func TestBatteryHistoryPackageOf(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"com.example/.sync.UploadJob", "com.example"},
		{"*walarm*:com.example/.alarm.Heartbeat", "com.example"},
		{"*alarm*:com.example.spy.Receiver.WAKE_ACTION", "com.example.spy"},
		{"*walarm*:com.example.MessageHandler.LOGOUT", "com.example"},
		{"com.example.tracker:LocationLock", "com.example.tracker"},
		{"*job*/com.example/.Job", "com.example"},
		{"@SyncManager@com.example.provider/com.example.account:user@mail", "com.example.provider"},
		{"@SyncManager@gmail-ls/com.google:android", "com.google"},
		{"*alarm*:TIME_TICK", ""},
		{"NlpWakeLock", ""},
		{"android/com.android.server.pm.BackgroundDexOptService", ""},
		{"*walarm*:", ""},
		{"", ""},
	} {
		if got := batteryhistory.PackageOf(tc.name); got != tc.want {
			t.Errorf("PackageOf(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	var p batteryhistory.Parser
	for _, l := range []string{"Battery History (1%):", "   0 (9) RESET:TIME: 2024-05-18-09-00-00",
		"    +1s000ms (2) 080 +running +wake_lock=u0a9:\"*alarm*:" + androiddata.StalkerAppID + ".Heartbeat.PING\"",
		"    +2s000ms (2) 080 +running +wake_lock=1000:\"*alarm*:TIME_TICK\"",
		"    +3s000ms (2) 080 +job=u0a9:\"@SyncManager@" + androiddata.StalkerAppID + "/x\""} {
		p.Line(l)
	}
	if len(p.Events) != 2 || p.Events[0].PackageName != androiddata.StalkerAppID || p.Events[0].Event != "wake" ||
		p.Events[1].PackageName != androiddata.StalkerAppID || p.Events[1].Event != "start_job" {
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
