package output

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/spyscan/spyscan/internal/golden"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

func fixture() (*model.Report, []ObservableRecord) {
	t0 := time.Date(2021, 7, 18, 10, 11, 12, 345678000, time.UTC)
	lvl := model.Critical
	r := &model.Report{
		Verdict: model.VerdictDetected,
		Info: model.ScanInfo{Tool: "spyscan", Version: "test", CommandLine: []string{"scan", "x"},
			GeneratedAt: t0, IndicatorDigest: "abc", IndicatorCount: 1,
			Inputs:   []model.Input{{Path: "x", Kind: "ios-backup", Files: []model.InputFile{{Path: "Manifest.db", Size: 3, SHA256: "00"}}}},
			SelfTest: model.SelfTest{CanaryOK: true}},
		Alerts: []model.Alert{{Level: model.Critical, Module: "sms", Message: `SMS URL "https://x.evil.com" matches`, Time: t0, Artifact: "HomeDomain/Library/SMS/sms.db",
			Record: json.RawMessage(`{"rowid":1}`), Match: &model.Match{Type: "domain", Observed: "https://x.evil.com", Indicator: "evil.com", How: "subdomain",
				Sources: []model.Provenance{{Source: "amnesty-investigations", File: "pegasus.stix2", Family: "Pegasus"}}}}},
		Timeline: []model.Event{
			{Time: t0, Module: "sms", Event: "sms_received", Description: "from +1, \"quoted\", comma"},
			{Time: t0.Add(time.Second), Module: "safari", Event: "visit", Description: "https://example.org/", Level: &lvl},
		},
		Modules: []model.ModuleResult{{Module: "sms", Status: model.StatusOK, Seen: 1}},
	}
	obs := []ObservableRecord{{Module: "sms", Observable: module.Observable{Type: match.URL, Value: "https://x.evil.com", Artifact: "HomeDomain/Library/SMS/sms.db", FirstSeen: t0, Count: 1}}}
	return r, obs
}

func TestGolden(t *testing.T) {
	dir := t.TempDir()
	r, obs := fixture()
	if err := Write(dir, r, obs); err != nil {
		t.Fatal(err)
	}
	mw, err := NewModuleWriter(dir, ModuleFileName("", "sms"))
	if err != nil {
		t.Fatal(err)
	}
	mw.Record(json.RawMessage(`{"rowid":1,"text":"hi"}`))
	mw.Record(json.RawMessage(`{"rowid":2,"text":"there"}`))
	if err := mw.Finish(r.Modules[0]); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{InfoFile, AlertsFile, TimelineCSV, TimelineJSON, ObservablesFile, filepath.Join(ModulesDir, "sms.json")} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", filepath.Base(name)+".golden"), got)
	}
	back, bobs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(back.Alerts) != 1 || back.Alerts[0].Match.Sources[0].Family != "Pegasus" || len(bobs) != 1 || len(back.Modules) != 1 || len(back.Modules[0].Records) != 2 || back.Verdict != model.VerdictDetected {
		t.Errorf("round trip lost data: %+v", back)
	}
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, InfoFile), []byte("{"), 0o644)
	_, _, err := Load(dir)
	if err == nil || !contains(err.Error(), InfoFile) {
		t.Errorf("err = %v", err)
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

// TestTimelineCSVNeutralised: cells from evidence that a spreadsheet would
// run as formulas, or that hide characters, are neutralised in
// timeline.csv; timeline.json keeps them exact.
func TestTimelineCSVNeutralised(t *testing.T) {
	r, obs := fixture()
	hostile := []string{`=HYPERLINK("http://evil/","click")`, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1", "\r=1",
		"invoice_\u202Efdp.exe", "pay\u200Bpal", "bad \xff"}
	r.Timeline = nil
	for _, h := range hostile {
		r.Timeline = append(r.Timeline, model.Event{Module: "sms", Event: h, Description: h})
	}
	dir := t.TempDir()
	if err := Write(dir, r, obs); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(dir, TimelineCSV))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows[1:] {
		for _, cell := range row[2:] {
			if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") {
				t.Errorf("cell %q starts a formula", cell)
			}
			if strings.ContainsAny(cell, "\u202E\u200B") || !utf8.ValidString(cell) {
				t.Errorf("cell %q hides characters", cell)
			}
		}
	}
	var events []model.Event
	b, _ := os.ReadFile(filepath.Join(dir, TimelineJSON))
	if err := json.Unmarshal(b, &events); err != nil {
		t.Fatal(err)
	}
	for i, e := range events {
		want := strings.ToValidUTF8(hostile[i], "\uFFFD") // JSON strings are UTF-8
		if e.Description != want {
			t.Errorf("timeline.json changed %q to %q", want, e.Description)
		}
	}
}
