package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestUsageErrorsGiveTheFix: each mistake a newcomer makes is a usage
// error (exit 2) whose one line says what to do.
func TestUsageErrorsGiveTheFix(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	results := filepath.Join(dir, "results")
	for _, d := range []string{results, filepath.Join(results, "modules")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write(t, filepath.Join(results, "info.json"), []byte("{}"))
	busy := filepath.Join(dir, "busy")
	write(t, filepath.Join(busy, "x"), []byte("x"))
	pcap := filepath.Join(dir, "a.pcap")
	write(t, pcap, garbagePcap())
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"scan without a path", []string{"scan"}, []string{"give the path of at least one acquisition", "spyscan scan PATH"}},
		{"unknown language", []string{"scan", "--lang", "xx", pcap}, []string{"--lang xx", "en, fr"}},
		{"unknown language, report", []string{"report", "--lang", "de", results}, []string{"--lang de", "en, fr"}},
		{"a result folder given to scan", []string{"scan", results}, []string{"is a spyscan result folder", "spyscan report " + results, "spyscan recheck " + results}},
		{"an output folder in use", []string{"scan", "--output", busy, pcap}, []string{"exists and is not empty", "give a new folder with --output"}},
		{"an empty value to check", []string{"iocs", "check", ""}, []string{"an empty value cannot be checked"}},
		{"report without a folder", []string{"report"}, []string{"give the result folder of a scan"}},
		{"bad log format", []string{"--log-format", "xml", "version"}, []string{"--log-format", "plain, text or json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, tt.args...)
			if code != ExitUsage {
				t.Errorf("exit %d, want %d", code, ExitUsage)
			}
			if lines := strings.Split(strings.TrimSpace(stderr), "\n"); len(lines) != 1 {
				t.Errorf("stderr has %d lines, want one:\n%s", len(lines), stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
		})
	}
}

// TestVersion: `version` and `--version` print the version, the commit and
// build date (from -ldflags or the build information), the Go version and
// the date and digest of the embedded indicators.
func TestVersion(t *testing.T) {
	Commit, BuildDate = "0123456789abcdef0123456789abcdef01234567", "2026-12-01T10:00:00Z"
	t.Cleanup(func() { Commit, BuildDate = "", "" })
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, _ := run(t, args...)
		if code != ExitOK {
			t.Errorf("%v: exit %d", args, code)
		}
		for _, re := range []string{`(?m)^spyscan \S+$`, `(?m)^commit +0123456789abcdef0123456789abcdef01234567$`,
			`(?m)^built +2026-12-01T10:00:00Z$`, `(?m)^go +go1\.`,
			`(?m)^indicators +embedded snapshot of \d{4}-\d\d-\d\d: \d+ indicators from 3 sources, digest [0-9a-f]{64}$`} {
			if !regexp.MustCompile(re).MatchString(stdout) {
				t.Errorf("%v: output lacks %s:\n%s", args, re, stdout)
			}
		}
	}
	if v := fullVersion(); !strings.HasSuffix(v, " (0123456789ab)") {
		t.Errorf("fullVersion = %q", v)
	}
}

// TestCompletion: the shell completion offers the values of --lang,
// --fail-level, --format and --log-format.
func TestCompletion(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"scan", "--lang", ""}, []string{"en", "fr"}},
		{[]string{"recheck", "--fail-level", ""}, []string{"info", "low", "medium", "high", "critical"}},
		{[]string{"export", "--format", ""}, []string{"stix", "misp"}},
		{[]string{"iocs", "export", "--format", ""}, []string{"zeek-intel", "suricata"}},
		{[]string{"scan", "--log-format", ""}, []string{"plain", "text", "json"}},
	}
	for _, tt := range tests {
		_, stdout, _ := run(t, append([]string{"__complete"}, tt.args...)...)
		got := strings.Split(strings.TrimSpace(stdout), "\n")
		got = got[:len(got)-1] // the last line is the directive
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%v: completions %q, want %q", tt.args, got, tt.want)
		}
	}
}

// TestHelpLines: flag help reads as written (a back-quoted word would be
// taken for the value's name).
func TestHelpLines(t *testing.T) {
	_, stdout, _ := run(t, "scan", "--help")
	if !regexp.MustCompile(`--no-cache-iocs +leave out the indicators downloaded by “spyscan iocs update”`).MatchString(stdout) {
		t.Errorf("--no-cache-iocs help:\n%s", stdout)
	}
}

// TestUpdateOffline: without a network, `iocs update` says so in a sentence
// and keeps what it had.
func TestUpdateOffline(t *testing.T) {
	isolate(t)
	code, _, stderr := run(t, "iocs", "update", "--index", "https://127.0.0.1:1/indicators.yaml", "--timeout", "2s")
	if code != ExitUsage || !strings.Contains(stderr, "cannot reach 127.0.0.1:1: no Internet access, or the server is down") ||
		!strings.Contains(stderr, "The indicators you have are kept") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestCaseFolderName: the default result folder of several inputs scanned
// as one --case is named after the case; of one input, after the input.
func TestCaseFolderName(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.pcap"), filepath.Join(dir, "b.pcap")
	write(t, a, garbagePcap())
	write(t, b, garbagePcap())
	t.Chdir(t.TempDir())
	run(t, "scan", "--quiet", "--case", "Jane 2026", a, b)
	run(t, "scan", "--quiet", a)
	for _, pattern := range []string{"spyscan-Jane_2026-*", "spyscan-a.pcap-*"} {
		if m, _ := filepath.Glob(pattern); len(m) != 1 {
			t.Errorf("%s: %v", pattern, m)
		}
	}
}
