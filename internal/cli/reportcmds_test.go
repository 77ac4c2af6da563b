package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
	"github.com/spyscan/spyscan/internal/selftest"
	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

// storedScan writes a result folder as a scan would: a module checked a
// Pegasus domain (hit) and a host that no indicator knew at scan time.
func storedScan(t *testing.T) string {
	t.Helper()
	ix, _ := match.NewIndex([]match.Indicator{{Type: match.Domain, Value: "free247downloads.com",
		Sources: []model.Provenance{{Source: "amnesty-investigations", Family: "Pegasus"}}}})
	rec := module.NewRecorder("safari_history", ix, nil)
	t0 := time.Date(2021, 7, 14, 9, 30, 0, 0, time.UTC)
	for _, u := range []string{"https://x.free247downloads.com/a", "https://cdn.later-known.example/p", "https://example.org/"} {
		rec.Record(map[string]string{"url": u})
		rec.CheckURL(u, module.Where{Artifact: "History.db", Time: t0, Label: i18n.M("ios.safari_history.what_url"), Record: map[string]string{"url": u}})
	}
	res := rec.Result()
	res.Status, res.Files = model.StatusOK, []string{"History.db"}
	r := reportgen.Clean()
	r.Modules = []model.ModuleResult{res}
	r.Alerts = res.Alerts
	r.Info.SelfTest.CanaryOK = true
	r.Verdict, r.Info.SelfTest.Problems = selftest.Decide(r)
	var obs output.ObservableList
	for _, o := range rec.Observables() {
		obs = append(obs, output.ObservableRecord{Module: "safari_history", Observable: o})
	}
	dir := t.TempDir()
	if err := output.Write(dir, r, obs); err != nil {
		t.Fatal(err)
	}
	mw, err := output.NewModuleWriter(dir, 0, "safari_history", 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range res.Records {
		mw.Record(b)
	}
	if err := mw.Finish(res); err != nil {
		t.Fatal(err)
	}
	return dir
}

const laterBundle = `{"type":"bundle","id":"bundle--0b5d1c8e-2f0a-4d3e-9a57-6c1e2f3a4b5c","objects":[
{"type":"malware","spec_version":"2.1","id":"malware--1a2b3c4d-0000-4000-8000-000000000001","created":"2026-11-01T00:00:00Z","modified":"2026-11-01T00:00:00Z","name":"Predator","is_family":true},
{"type":"indicator","spec_version":"2.1","id":"indicator--1a2b3c4d-0000-4000-8000-000000000002","created":"2026-11-01T00:00:00Z","modified":"2026-11-01T00:00:00Z","pattern":"[domain-name:value = 'later-known.example']","pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z"},
{"type":"relationship","spec_version":"2.1","id":"relationship--1a2b3c4d-0000-4000-8000-000000000003","created":"2026-11-01T00:00:00Z","modified":"2026-11-01T00:00:00Z","relationship_type":"indicates","source_ref":"indicator--1a2b3c4d-0000-4000-8000-000000000002","target_ref":"malware--1a2b3c4d-0000-4000-8000-000000000001"}]}`

func TestRecheckFindsNewIndicator(t *testing.T) {
	isolate(t)
	dir := storedScan(t)
	iocs := filepath.Join(t.TempDir(), "later.stix2")
	if err := os.WriteFile(iocs, []byte(laterBundle), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "re")
	code, stdout, stderr := run(t, "recheck", dir, "--iocs", iocs, "-o", out, "--lang", "en")
	if code != ExitAlerts {
		t.Fatalf("exit %d, want %d (alerts); stderr %s", code, ExitAlerts, stderr)
	}
	for _, want := range []string{"new alerts since the scan: 1", "NEW CRITICAL safari_history", "later-known.example", "verdict: detected"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("recheck output lacks %q:\n%s", want, stdout)
		}
	}
	var fresh []model.Alert
	b, err := os.ReadFile(filepath.Join(out, newAlertsFile))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &fresh); err != nil {
		t.Fatal(err)
	}
	if len(fresh) != 1 || fresh[0].Match.Indicator != "later-known.example" || fresh[0].Match.Families()[0] != "Predator" {
		t.Errorf("new-alerts.json = %s", b)
	}
	// The recheck folder is itself a result folder: report re-renders it
	// (families by severity, then by name).
	r, _, err := output.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	recs := 0
	err = output.EachRecord(out, filepath.Join(output.ModuleDir(0), "safari_history.json"), func(json.RawMessage) error { recs++; return nil })
	if len(r.Modules) != 1 || recs != 3 || err != nil || len(r.Alerts) != 2 {
		t.Errorf("recheck folder: %d modules, %d records (%v), %d alerts", len(r.Modules), recs, err, len(r.Alerts))
	}
	html, err := os.ReadFile(filepath.Join(out, output.ReportHTML))
	if err != nil || !strings.Contains(string(html), "Traces of Pegasus and Predator were found") {
		i := strings.Index(string(html), "verdict-headline")
		t.Errorf("recheck report.html lacks the verdict (%v): %.120s", err, string(html[max(i, 0):]))
	}
}

func TestReportRerendersInFrench(t *testing.T) {
	isolate(t)
	dir := storedScan(t)
	code, stdout, stderr := run(t, "report", dir, "--lang", "fr")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	html, err := os.ReadFile(filepath.Join(dir, output.ReportHTML))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), `<html lang="fr">`) || !strings.Contains(string(html), "Des traces de Pegasus ont été trouvées") {
		t.Error("report.html is not the French report")
	}
	for _, f := range []string{stixFile, mispFile} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written (%v)", f, err)
		}
	}
	if !strings.Contains(stdout, "verdict: detected") {
		t.Errorf("stdout %q", stdout)
	}
}

func TestExport(t *testing.T) {
	isolate(t)
	dir := storedScan(t)
	code, stdout, stderr := run(t, "export", "--format", "stix", dir)
	if code != ExitOK || !strings.Contains(stdout, `"type": "sighting"`) {
		t.Errorf("stix export: exit %d, stderr %s", code, stderr)
	}
	out := filepath.Join(t.TempDir(), "event.json")
	code, _, stderr = run(t, "export", "--format", "misp", "-o", out, dir)
	b, _ := os.ReadFile(out)
	if code != ExitOK || !strings.Contains(string(b), `"type": "domain"`) {
		t.Errorf("misp export: exit %d, stderr %s, file %s", code, stderr, b)
	}
}

func TestReportCommandErrors(t *testing.T) {
	isolate(t)
	empty := t.TempDir()
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"report", empty}, "is not a spyscan result folder"},
		{[]string{"report", "--lang", "tlh", empty}, "no such language"},
		{[]string{"export", "--format", "csv", empty}, "want stix or misp"},
		{[]string{"recheck", empty}, "is not a spyscan result folder"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != ExitUsage || !strings.Contains(stderr, tt.wantErr) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, stderr, ExitUsage, tt.wantErr)
		}
	}
}

// TestRecheckDemoWithNewerIndicators: a real scan of the demo capture made
// with no indicator at all, rechecked later with the embedded snapshot,
// finds the planted Pegasus domain, without the capture.
func TestRecheckDemoWithNewerIndicators(t *testing.T) {
	isolate(t)
	none := filepath.Join(t.TempDir(), "none.stix2")
	if err := os.WriteFile(none, []byte(`{"type":"bundle","id":"bundle--0b5d1c8e-2f0a-4d3e-9a57-6c1e2f3a4b5d","objects":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	capture := filepath.Join(work, "capture.pcapng")
	b, err := os.ReadFile("../../demo/capture.pcapng")
	if err != nil {
		t.Fatalf("demo capture missing: %v", err)
	}
	if err := os.WriteFile(capture, b, 0o644); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(work, "old")
	code, stdout, stderr := run(t, "scan", "--no-embedded-iocs", "--iocs", none, "-o", old, capture)
	if code == ExitUsage || strings.Contains(stdout, "verdict: detected") {
		t.Fatalf("scan without indicators: exit %d\n%s\n%s", code, stdout, stderr)
	}
	os.Remove(capture) // the acquisition is gone; the results remain
	code, stdout, stderr = run(t, "recheck", old, "-o", filepath.Join(work, "re"))
	if code != ExitAlerts || !strings.Contains(stdout, `NEW CRITICAL network_dns: Domain`) || !strings.Contains(stdout, `"free247downloads.com" matches an indicator of Pegasus`) {
		t.Errorf("recheck: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// TestReportNeverTrustsAStoredClean: an info.json that says "clean" for a
// scan whose only module read nothing renders inconclusive.
func TestReportNeverTrustsAStoredClean(t *testing.T) {
	isolate(t)
	r := reportgen.Inconclusive()
	r.Verdict = model.VerdictClean
	dir := t.TempDir()
	if err := output.Write(dir, r, nil); err != nil {
		t.Fatal(err)
	}
	for _, m := range r.Modules {
		mw, err := output.NewModuleWriter(dir, 0, m.Module, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := mw.Finish(m); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := run(t, "report", dir, "--lang", "en")
	if code != ExitOK || !strings.Contains(stdout, "verdict: inconclusive") || !strings.Contains(stderr, "stored verdict does not follow") {
		t.Errorf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
	}
	html, _ := os.ReadFile(filepath.Join(dir, output.ReportHTML))
	if !strings.Contains(string(html), `data-verdict="inconclusive"`) {
		t.Error("report.html does not read inconclusive")
	}
}
