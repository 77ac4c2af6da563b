package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestIocsExport exports the embedded indicators for both sensors, then
// closes the loop the way a lab would: Suricata alerts on one of spyscan's
// rules, and `spyscan scan eve.json` reports the indicator with its
// provenance even though the log holds nothing else of the flow.
func TestIocsExport(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	intel := filepath.Join(dir, "spyscan.intel")
	if code, _, errs := run(t, "iocs", "export", "--format", "zeek-intel", "--output", intel); code != ExitOK {
		t.Fatalf("zeek-intel: code %d: %s", code, errs)
	}
	b, err := os.ReadFile(intel)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), "free247downloads.com\tIntel::DOMAIN\tspyscan:amnesty-investigations\tPegasus") {
		t.Errorf("no Pegasus domain line in the Intel file")
	}

	rules := filepath.Join(dir, "spyscan.rules")
	if code, _, errs := run(t, "iocs", "export", "--format", "suricata", "-o", rules); code != ExitOK {
		t.Fatalf("suricata: code %d: %s", code, errs)
	}
	b, err = os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "spyscan-sha256.lst")); err != nil {
		t.Errorf("hash list not written beside the rules: %v", err)
	}
	line := regexp.MustCompile(`(?m)^alert tls .*msg:"spyscan Pegasus domain free247downloads.com in TLS SNI".*$`).FindString(string(b))
	sid := regexp.MustCompile(`sid:(\d+);`).FindStringSubmatch(line)
	if sid == nil {
		t.Fatalf("no TLS SNI rule for free247downloads.com")
	}
	alert := map[string]any{"timestamp": "2026-11-20T08:00:00.000000+0000", "event_type": "alert",
		"src_ip": "10.0.0.2", "src_port": 50000, "dest_ip": "198.18.0.9", "dest_port": 443, "proto": "TCP",
		"alert": map[string]any{"action": "allowed", "gid": 1, "signature_id": json.Number(sid[1]), "rev": 1,
			"signature": "spyscan Pegasus domain free247downloads.com in TLS SNI", "category": "A Network Trojan was detected", "severity": 1,
			"metadata": map[string][]string{"spyscan_type": {"domain"}, "spyscan_value": {"free247downloads.com"}}}}
	ev, _ := json.Marshal(alert)
	eve := filepath.Join(dir, "eve.json")
	os.WriteFile(eve, append(ev, '\n'), 0o644)
	out := filepath.Join(dir, "out")
	code, stdout, errs := run(t, "scan", "--quiet", "--output", out, eve)
	if code != ExitAlerts {
		t.Fatalf("scan of the eve.json: code %d, want %d\n%s\n%s", code, ExitAlerts, stdout, errs)
	}
	alerts, err := os.ReadFile(filepath.Join(out, "alerts.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"level": "CRITICAL"`, `"family": "Pegasus"`, "2021-07-18_nso/pegasus.stix2"} {
		if !strings.Contains(string(alerts), want) {
			t.Errorf("alerts.json lacks %s", want)
		}
	}

	if code, _, errs := run(t, "iocs", "export", "--format", "snort"); code != ExitUsage || !strings.Contains(errs, "zeek-intel or suricata") {
		t.Errorf("bad format: code %d: %s", code, errs)
	}
}
