package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func isolate(t *testing.T) {
	t.Setenv("SPYSCAN_CACHE_DIR", t.TempDir())
	t.Setenv("SPYSCAN_IOCS", "")
}

func TestIocsCheck(t *testing.T) {
	isolate(t)
	code, out, _ := run(t, "iocs", "check", "https://x.free247downloads.com/a")
	if code != ExitAlerts || !strings.Contains(out, "MATCH Pegasus") || !strings.Contains(out, "amnesty-investigations") || !strings.Contains(out, "2021-07-18_nso/pegasus.stix2") {
		t.Errorf("code %d out %q", code, out)
	}
	code, out, _ = run(t, "iocs", "check", "notfree247downloads.com")
	if code != ExitOK || !strings.Contains(out, "no match") {
		t.Errorf("code %d out %q", code, out)
	}
}

func TestIocsList(t *testing.T) {
	isolate(t)
	code, out, _ := run(t, "iocs", "list")
	if code != ExitOK {
		t.Fatalf("code %d", code)
	}
	for _, want := range []string{"amnesty-investigations  embedded  2024-12-16", "4272", "1441", "6848", "12561", "Pegasus", "TheTruthSpy"} {
		if !strings.Contains(out, want) {
			t.Errorf("iocs list lacks %q:\n%s", want, out)
		}
	}
}

func TestUsageErrors(t *testing.T) {
	isolate(t)
	missing := filepath.Join(t.TempDir(), "missing")
	tests := []struct {
		args    []string
		wantErr string
	}{
		{[]string{"iocs", "check", "--iocs", missing, "x"}, "indicator path does not exist"},
		{[]string{"scan", missing}, "no such file or folder"},
		{[]string{"scan", "--fail-level", "loud", "."}, "unknown level"},
		{[]string{"scan", "--timezone", "Mars/Olympus", "."}, "--timezone \"Mars/Olympus\" is not an IANA time zone name"},
		{[]string{"scan", "--timezone", "Local", "."}, "is not an IANA time zone name"},
		{[]string{"frobnicate"}, "unknown command"},
		{[]string{"scan", "--bogus-flag", "."}, "unknown flag"},
	}
	for _, tt := range tests {
		code, _, errs := run(t, tt.args...)
		if code != ExitUsage || !strings.Contains(errs, tt.wantErr) {
			t.Errorf("%v: code %d stderr %q, want 2 and %q", tt.args, code, errs, tt.wantErr)
		}
	}
}

func TestScanUnrecognisedInput(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "notes.txt")
	os.WriteFile(p, []byte("hello\n"), 0o644)
	out := filepath.Join(dir, "out")
	code, _, errs := run(t, "scan", "--output", out, p)
	if code != ExitUsage || !strings.Contains(errs, "unsupported or unrecognised input: "+p+" (looks like a text file") {
		t.Errorf("code %d stderr %q", code, errs)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output folder left behind for a scan that did not run")
	}
}

func TestScanRefusesNonEmptyOutput(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "keep"), []byte("x"), 0o644)
	code, _, errs := run(t, "scan", "--output", dir, "../../demo/backup.ab") // (dir as its own input is refused as evidence)
	if code != ExitUsage || !strings.Contains(errs, "not empty") {
		t.Errorf("code %d stderr %q", code, errs)
	}
}

func TestRedact(t *testing.T) {
	got := redact([]string{"scan", "--password=hunter2", "--password-file=/x", "p"})
	want := "scan --password=REDACTED --password-file=/x p"
	if strings.Join(got, " ") != want {
		t.Errorf("redact = %q", got)
	}
}

// TestScanGoesOnPastMissingInput: a mistyped path among inputs that exist
// does not stop the scan: it is named on stderr and in the results, and the
// verdict cannot be clean (exit 3 here: the other input is unrecognised).
func TestScanGoesOnPastMissingInput(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.pcap")
	odd := filepath.Join(dir, "notes.txt")
	os.WriteFile(odd, []byte("hello\n"), 0o644)
	out := filepath.Join(dir, "out")
	code, _, errs := run(t, "scan", "--output", out, missing, odd)
	if code != ExitInconclusive || !strings.Contains(errs, missing) {
		t.Fatalf("code %d stderr %q, want %d naming %s", code, errs, ExitInconclusive, missing)
	}
	info, err := os.ReadFile(filepath.Join(out, "info.json"))
	if err != nil || !strings.Contains(string(info), "missing.pcap") {
		t.Errorf("info.json does not list the missing input (%v)", err)
	}
}
