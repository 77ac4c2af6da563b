// Package reportgen builds small, fixed model.Reports for the tests of the
// report encoders (HTML, STIX, MISP) and of the commands that re-render
// stored results. The values mimic real findings (a Pegasus domain and
// process from Amnesty's published indicators) and include hostile text, so
// that every encoder is tested for escaping.
package reportgen

import (
	"encoding/json"
	"time"

	"github.com/spyscan/spyscan/internal/model"
)

// Hostile is evidence text that must never run or break a report.
const Hostile = `<script>alert("pwned")</script><img src=x onerror=alert(1)>"'&`

var (
	t0    = time.Date(2021, 7, 14, 9, 30, 0, 0, time.UTC)
	amn   = "amnesty-investigations"
	pegID = "indicator--4c8f8d2a-3b0b-4b7e-9f39-1f6c2b1d5e01"
)

func pegasus(file, id, pattern string) model.Provenance {
	return model.Provenance{Source: amn, File: file, Commit: "9c7e0a4b1d2f3e4a5b6c7d8e9f00112233445566",
		Date: "2026-10-30", URL: "https://github.com/AmnestyTech/investigations", IndicatorID: id, Pattern: pattern,
		Family: "Pegasus", References: []string{"https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/", "javascript:alert(1)"}}
}

func rec(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func level(l model.Level) *model.Level { return &l }

// Detected is a finished scan of one iOS backup with two Pegasus indicator
// hits (CRITICAL), a heuristic (MEDIUM) and a module with a file error.
func Detected() *model.Report {
	domain := model.Match{Type: "domain", Observed: "x.free247downloads.com", Indicator: "free247downloads.com", How: "subdomain",
		Sources: []model.Provenance{pegasus("2021-07-18_nso/pegasus.stix2", pegID, "[domain-name:value = 'free247downloads.com']")}}
	proc := model.Match{Type: "process", Observed: "bh", Indicator: "bh", How: "exact",
		Sources: []model.Provenance{pegasus("2021-07-18_nso/pegasus.stix2", "indicator--7d1b2e55-0c1f-4a8e-8d3e-2b9a4c6f7e02", "[process:name = 'bh']")}}
	r := &model.Report{
		Info: model.ScanInfo{
			Tool: "spyscan", Version: "0.1.0-test", CommandLine: []string{"scan", "--case", "demo", "backup"},
			Case: "demo", GeneratedAt: time.Date(2026, 11, 23, 20, 0, 0, 0, time.UTC),
			IndicatorDigest: "b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c", IndicatorCount: 10432,
			IndicatorSources: []model.IndicatorSource{
				{Name: amn, Kind: "embedded", Origin: "https://github.com/AmnestyTech/investigations", Commit: "9c7e0a4b1d2f3e4a5b6c7d8e9f00112233445566", Date: "2026-10-30", Files: 6, Indicators: 2011},
				{Name: "mvt-indicators", Kind: "embedded", Origin: "https://github.com/mvt-project/mvt-indicators", Commit: "0011223344556677889900aabbccddeeff001122", Date: "2026-10-29", Files: 11, Indicators: 8421},
			},
			Inputs: []model.Input{{Path: "backup", Kind: "ios-backup", TZ: "Europe/Paris",
				Meta: map[string]string{"device_name": "Phone of " + Hostile, "product_version": "14.6"},
				Files: []model.InputFile{{Path: "Manifest.db", Size: 40960, SHA256: "2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"},
					{Path: "Manifest.plist", Size: 1024, SHA256: "fcde2b2edba56bf408601fb721fe9b5c338d10ee429ea04fae5511b68fbf8fb9"}}}},
			SelfTest: model.SelfTest{CanaryOK: true},
		},
		Verdict: model.VerdictDetected,
		Alerts: []model.Alert{
			{Level: model.Critical, Module: "safari_history", Time: t0, Artifact: "HomeDomain/Library/Safari/History.db",
				Message: `Safari history URL "https://x.free247downloads.com/` + Hostile + `" matches an indicator of Pegasus (domain "free247downloads.com")`,
				Record:  rec(map[string]any{"url": "https://x.free247downloads.com/" + Hostile, "visit_time": t0}), Match: &domain},
			{Level: model.Critical, Module: "datausage", Time: t0.Add(90 * time.Second), Artifact: "WirelessDomain/Library/Databases/DataUsage.sqlite",
				Message: `Process "bh" matches an indicator of Pegasus (process "bh")`, Record: rec(map[string]any{"process": "bh", "wwan_in": 4096}), Match: &proc},
			{Level: model.Medium, Module: "shutdown_log", Time: t0.Add(-48 * time.Hour), Artifact: "shutdown.log",
				Message: "A process ran from an unusual folder: /private/var/db/" + Hostile,
				Reason:  "Pegasus ran its processes from /private/var/db/com.apple.xpc.roleaccountd.staging/",
				Benign:  "Some system updates also use this folder."},
		},
		Timeline: model.Events{
			{Time: t0.Add(-72 * time.Hour), Module: "sms", Event: "sms_received", Description: "SMS from +33600000000: hello"},
			{Time: t0.Add(-48 * time.Hour), Module: "shutdown_log", Event: "process", Description: "/private/var/db/" + Hostile, Level: level(model.Medium)},
			{Time: t0, Module: "safari_history", Event: "visit", Description: "https://x.free247downloads.com/" + Hostile, Level: level(model.Critical)},
			{Time: t0.Add(90 * time.Second), Module: "datausage", Event: "process", Description: "bh", Level: level(model.Critical)},
			{Time: t0.Add(26 * time.Hour), Module: "safari_history", Event: "visit", Description: "https://example.org/"},
		},
		Modules: []model.ModuleResult{
			{Module: "safari_history", Status: model.StatusOK, Seen: 42, Files: []string{"HomeDomain/Library/Safari/History.db"}},
			{Module: "datausage", Status: model.StatusOK, Seen: 17, Files: []string{"WirelessDomain/Library/Databases/DataUsage.sqlite"}},
			{Module: "shutdown_log", Status: model.StatusOK, Seen: 3, Files: []string{"shutdown.log"}},
			{Module: "sms", Status: model.StatusPartial, Seen: 5, Files: []string{"HomeDomain/Library/SMS/sms.db"},
				Errors: []model.FileError{{Path: "HomeDomain/Library/SMS/sms.db-wal", Error: "HomeDomain/Library/SMS/sms.db-wal: truncated frame " + Hostile}}},
			{Module: "bugreport_packages", Status: model.StatusSkipped, Reason: "does not apply to ios-backup inputs"},
		},
	}
	return r
}

// Clean is a scan of one pcap with no alert, where every check worked.
func Clean() *model.Report {
	r := Detected()
	r.Verdict = model.VerdictClean
	r.Alerts = nil
	events := r.Timeline.(model.Events)
	for i := range events {
		events[i].Level = nil
	}
	r.Modules = r.Modules[:3]
	r.Info.Inputs[0].TZ = ""
	return r
}

// Inconclusive is a scan whose only module read nothing.
func Inconclusive() *model.Report {
	r := Clean()
	r.Verdict = model.VerdictInconclusive
	r.Modules = []model.ModuleResult{{Module: "safari_history", Status: model.StatusOK, Seen: 0},
		{Module: "sms", Status: model.StatusFailed, Reason: "sms.db: database disk image is malformed (11)"}}
	r.Info.SelfTest.Problems = []string{"module safari_history ran but read no record", "module sms failed: sms.db: database disk image is malformed (11)"}
	r.Timeline = nil
	return r
}
