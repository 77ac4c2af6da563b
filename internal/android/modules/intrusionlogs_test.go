package modules_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/intrusionlogs"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

// distinct events in the generated logs, once duplicates are dropped
const wantEvents = 20

func qfWith(dir string) map[string][]byte {
	m := androiddata.AndroidQF(androiddata.Options{})
	for p, b := range androiddata.IntrusionLogs(dir, true) {
		m[p] = b
	}
	return m
}

// nestedZip puts the first day in logs.zip and the second in a zip inside it.
func nestedZip() map[string][]byte {
	days := androiddata.IntrusionLogs("", true)
	inner := androidgen.ZipBytes(androidgen.Files(map[string][]byte{"2026-06-02.txt": days["2026-06-02.txt"]}), false)
	outer := androidgen.ZipBytes(androidgen.Files(map[string][]byte{"day1/2026-06-01.txt": days["2026-06-01.txt"], "day2.zip": inner}), false)
	return map[string][]byte{"logs.zip": outer, "notes.md": []byte("not a log")}
}

func TestIntrusionLogsGolden(t *testing.T) {
	cases := []modtest.Case{
		{Name: "folder", Kind: acquisition.AndroidIntrusionLogs, FS: modtest.FS(androiddata.IntrusionLogs("", true))},
		{Name: "nested-zip", Kind: acquisition.AndroidIntrusionLogs, FS: modtest.FS(nestedZip())},
		{Name: "androidqf", Kind: acquisition.AndroidQF, FS: modtest.FS(qfWith("intrusion_logs"))},
		{Name: "androidqf-dash", Kind: acquisition.AndroidQF, FS: modtest.FS(qfWith("intrusion-logs"))},
	}
	modtest.GoldenCases(t, intrusionlogs.New(), cases, func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		if len(res.Records) != wantEvents {
			t.Errorf("%d events", len(res.Records))
		}
		// 19 events have a time; one does not
		if len(res.Timeline) != wantEvents-1 {
			t.Errorf("%d timeline events", len(res.Timeline))
		}
		for _, want := range []struct {
			level     model.Level
			indicator bool
			sub       string
		}{
			{model.Critical, true, `DNS query "` + androiddata.PlantedHost},
			{model.Critical, true, `DNS answer "` + androiddata.PlantedIP},
			{model.Critical, true, `Connection to "` + androiddata.PlantedIP},
			{model.Critical, true, `App making a connection "` + androiddata.StalkerAppID},
			{model.Critical, true, `Started app process "` + androiddata.StalkerAppID},
			{model.Critical, true, `Package installed "` + androiddata.StalkerAppID},
			{model.Critical, true, `adb shell command "` + androiddata.CampaignPath},
			{model.Medium, false, androiddata.CAInstalled},
		} {
			if !modtest.HasAlert(res, want.level, want.indicator, want.sub) {
				t.Errorf("no alert %q", want.sub)
			}
		}
		for _, s := range []string{androiddata.LookalikeIP, androiddata.LookalikeDomain, androiddata.LookalikeAppID, "Failed Root", "PinStorage", "::1"} {
			modtest.NoAlertMentions(t, res, s)
		}
		if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "2026-06-02.txt: line 5: malformed") {
			t.Errorf("errors %+v", res.Errors)
		}
		notes := strings.Join(res.Notes, "\n")
		for _, s := range []string{"3 duplicate events", "future_event (1)", "security_event:future_security_tag (1)", "1 event without an event_time"} {
			if !strings.Contains(notes, s) {
				t.Errorf("notes lack %q: %s", s, notes)
			}
		}
	})
}

// TestDeviceTime takes the time zone of the acquisition (androidqf's
// getprop.txt) for the device time of each event.
func TestIntrusionLogsDeviceTime(t *testing.T) {
	fsys := modtest.FS(androiddata.IntrusionLogs("intrusion_logs", true))
	acq := &acquisition.Acquisition{Path: "qf", Kind: acquisition.AndroidQF, FS: fsys, TZ: "Europe/Paris"}
	rec := module.NewRecorder(intrusionlogs.Name, modtest.Index(t), nil)
	if err := intrusionlogs.New().Run(context.Background(), &module.Input{Acq: acq, Index: modtest.Index(t)}, rec); err != nil {
		t.Fatal(err)
	}
	res := rec.Result()
	var r intrusionlogs.Record
	if err := json.Unmarshal(res.Records[0], &r); err != nil {
		t.Fatal(err)
	}
	// 2026-06-01 09:00 UTC is 11:00 in Paris (summer time)
	if r.DeviceTime != "2026-06-01 11:00:00.000 CEST" || !r.Time.Equal(androiddata.IntrusionStart) {
		t.Fatalf("time %v device time %q", r.Time, r.DeviceTime)
	}
}

func TestIntrusionLogsNone(t *testing.T) {
	for _, files := range []map[string][]byte{androiddata.AndroidQF(androiddata.Options{}), {"intrusion_logs/readme.md": []byte("x")}} {
		if _, err := modtest.Run(t, intrusionlogs.New(), acquisition.AndroidQF, files); err != module.ErrNotFound {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	}
}

func TestIntrusionLogsBadZip(t *testing.T) {
	res, err := modtest.Run(t, intrusionlogs.New(), acquisition.AndroidIntrusionLogs, map[string][]byte{
		"a.zip": []byte("PK\x03\x04 truncated"), "2026-06-01.txt": androiddata.IntrusionLogs("", true)["2026-06-01.txt"]})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "a.zip") || len(res.Records) != 15 {
		t.Fatalf("errors %+v records %d", res.Errors, len(res.Records))
	}
}

func TestIntrusionLogsCleanIP(t *testing.T) {
	for in, want := range map[string]string{"/1.2.3.4": "1.2.3.4", "ip6-localhost/::1": "::1", "1.2.3.4": "1.2.3.4",
		"/::ffff:1.2.3.4": "1.2.3.4", "example.com": "", "": ""} {
		a, ok := intrusionlogs.CleanIP(in)
		if got := a.String(); (ok && got != want) || (!ok && want != "") {
			t.Errorf("CleanIP(%q) = %v %v", in, a, ok)
		}
	}
}

// realExport reads the lines of real exports published with AndroDR's
// tests (Apache-2.0; internal/android/intrusionlog/testdata/androdr).
func realExport(t *testing.T) map[string][]byte {
	t.Helper()
	m := map[string][]byte{}
	for _, f := range []string{"parser-test.txt", "export-shape.txt"} {
		b, err := os.ReadFile(filepath.Join("..", "intrusionlog", "testdata", "androdr", f))
		if err != nil {
			t.Fatal(err)
		}
		m[f] = b
	}
	return m
}

// On real export lines: every event read and on the timeline, no read
// error, no alert (nothing in them is an indicator), and the fields real
// exports name otherwise than SecurityLog (package_updated's "package" and
// "version") reach the timeline.
func TestIntrusionLogsRealExport(t *testing.T) {
	res, err := modtest.Run(t, intrusionlogs.New(), acquisition.AndroidIntrusionLogs, realExport(t))
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	if len(res.Records) != 12 || len(res.Timeline) != 12 || len(res.Alerts) != 0 {
		t.Fatalf("records %d events %d alerts %+v", len(res.Records), len(res.Timeline), res.Alerts)
	}
	var found bool
	for _, e := range res.Timeline {
		if e.Description == "Package updated: com.example.browser (version 142, user unknown)" {
			found = true
		}
	}
	if !found {
		t.Errorf("no package_updated event naming its package and version: %+v", res.Timeline)
	}
}

// The same real lines with an indicator's package in place of the
// sanitized names: the started process and the updated package, read
// under the names real exports give them, are checked.
func TestIntrusionLogsRealExportPlanted(t *testing.T) {
	files := realExport(t)
	files["export-shape.txt"] = bytes.ReplaceAll(files["export-shape.txt"], []byte("com.example.browser"), []byte(androiddata.StalkerAppID))
	res, err := modtest.Run(t, intrusionlogs.New(), acquisition.AndroidIntrusionLogs, files)
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	modtest.WantAlert(t, res, model.Critical, true, `Started app process "`+androiddata.StalkerAppID)
	modtest.WantAlert(t, res, model.Critical, true, `Package updated "`+androiddata.StalkerAppID)
}
