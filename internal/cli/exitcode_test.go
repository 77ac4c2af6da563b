package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/hostile"
)

// emptyBundle is a valid STIX bundle without any indicator.
const emptyBundle = `{"type": "bundle", "id": "bundle--6f0c7a52-0c5e-4d1a-9a57-00000000000a", "objects": []}`

// TestExitCodes: one case per outcome of the exit code contract: 0 no
// known traces, 1 traces at or above --fail-level, 2 an error that stopped
// the scan before results, 3 a completed but inconclusive scan — including
// a scan whose indicators could not be used.
func TestExitCodes(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.pcap")
	write(t, clean, hostile.CleanCapture())
	garbage := filepath.Join(dir, "garbage.pcap")
	write(t, garbage, garbagePcap())
	planted := filepath.Join(dir, "planted.stix2")
	write(t, planted, []byte(plantedSTIX))
	empty := filepath.Join(dir, "empty.stix2")
	write(t, empty, []byte(emptyBundle))
	notStix := filepath.Join(dir, "notes.json")
	write(t, notStix, []byte("these are my notes, not a STIX bundle"))
	only := []string{"--no-embedded-iocs", "--no-cache-iocs"}
	cases := []struct {
		name    string
		env     string // SPYSCAN_IOCS
		args    []string
		code    int
		wantErr string // in the one stderr line; "" for none
	}{
		{"clean", "", append(append([]string{}, only...), "--iocs", planted, clean), ExitOK, ""},
		{"traces", "", append(append([]string{}, only...), "--iocs", planted, "../../demo/backup.ab"), ExitAlerts, ""},
		{"traces below --fail-level", "", append(append([]string{"--fail-level", "critical"}, only...), "--iocs", planted, clean), ExitOK, ""},
		{"missing input", "", []string{filepath.Join(dir, "nope.pcap")}, ExitUsage, "no such file"},
		{"unreadable input", "", append(append([]string{}, only...), "--iocs", planted, garbage), ExitInconclusive, "garbage.pcap"},
		{"empty bundle, nothing else", "", append(append([]string{}, only...), "--iocs", empty, clean), ExitInconclusive, "empty.stix2: no usable indicator"},
		{"not a STIX file with the embedded set", "", []string{"--no-cache-iocs", "--iocs", notStix, clean}, ExitInconclusive, "notes.json"},
		{"empty bundle with the embedded set", "", []string{"--no-cache-iocs", "--iocs", empty, clean}, ExitInconclusive, "empty.stix2: no usable indicator"},
		{"unreadable SPYSCAN_IOCS", notStix, []string{"--no-cache-iocs", clean}, ExitInconclusive, "notes.json"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("SPYSCAN_IOCS", c.env)
			out := filepath.Join(t.TempDir(), "out")
			code, stdout, stderr := run(t, append([]string{"scan", "--quiet", "--lang", "en", "--output", out}, c.args...)...)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout %s\nstderr %s", code, c.code, stdout, stderr)
			}
			if c.wantErr != "" {
				checkFinalLine(t, stderr, c.wantErr)
			}
			_, err := os.Stat(filepath.Join(out, "info.json"))
			if ran := err == nil; ran != (c.code != ExitUsage) {
				t.Errorf("results written: %v, want %v", ran, c.code != ExitUsage)
			}
		})
	}
}

// TestRecheckInconclusive: recheck of a scan that could not read its
// input says inconclusive (3), not 0.
func TestRecheckInconclusive(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage.pcap")
	write(t, garbage, garbagePcap())
	planted := filepath.Join(dir, "planted.stix2")
	write(t, planted, []byte(plantedSTIX))
	out := filepath.Join(dir, "out")
	if code, _, stderr := run(t, "scan", "--quiet", "--no-embedded-iocs", "--no-cache-iocs", "--iocs", planted, "--output", out, garbage); code != ExitInconclusive {
		t.Fatalf("scan exit %d: %s", code, stderr)
	}
	code, stdout, stderr := run(t, "recheck", "--no-embedded-iocs", "--no-cache-iocs", "--iocs", planted, "-o", filepath.Join(dir, "re"), out)
	if code != ExitInconclusive || !strings.Contains(stdout, "verdict: inconclusive") {
		t.Errorf("recheck exit %d, want %d\nstdout %s\nstderr %s", code, ExitInconclusive, stdout, stderr)
	}
	checkFinalLine(t, stderr, "garbage.pcap")
}

// checkFinalLine: stderr ends with one "spyscan: " line holding want.
func checkFinalLine(t *testing.T, stderr, want string) {
	t.Helper()
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "spyscan: ") || !strings.Contains(last, want) {
		t.Errorf("last stderr line %q, want a 'spyscan: ' line with %q", last, want)
	}
}

// TestNoIndicatorAtAll: a scan without any usable indicator says so among
// its problems, in info.json.
func TestNoIndicatorAtAll(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.pcap")
	write(t, clean, hostile.CleanCapture())
	empty := filepath.Join(dir, "empty.stix2")
	write(t, empty, []byte(emptyBundle))
	out := filepath.Join(dir, "out")
	code, _, stderr := run(t, "scan", "--quiet", "--no-embedded-iocs", "--no-cache-iocs", "--iocs", empty, "--output", out, clean)
	if code != ExitInconclusive {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var info struct {
		Verdict  string
		SelfTest struct{ Problems []string } `json:"self_test"`
	}
	readJSON(t, filepath.Join(out, "info.json"), &info)
	if info.Verdict != "inconclusive" || !strings.Contains(strings.Join(info.SelfTest.Problems, "\n"), "No usable indicator was loaded") {
		t.Errorf("verdict %s, problems %q", info.Verdict, info.SelfTest.Problems)
	}
}
