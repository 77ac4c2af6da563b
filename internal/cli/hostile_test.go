package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/hostile"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// TestHostileCorpus scans every case of the hostile corpus
// (internal/testgen/hostile) end to end through the CLI and checks the
// outcome the case names: no crash, the exit code of the contract, a scan
// that did not run writes nothing and says why in one line naming the
// file, a scan that ran lists the failure naming the file and never says
// clean, a clean capture scanned next to a hostile input is still read,
// and the evidence is byte-identical afterwards.
func TestHostileCorpus(t *testing.T) {
	isolate(t)
	t.Setenv("SPYSCAN_BACKUP_PASSWORD", "")
	catchDefaultLog(t)
	if hostile.ExitClean != ExitOK || hostile.ExitTraces != ExitAlerts || hostile.ExitError != ExitUsage || hostile.ExitInconclusive != ExitInconclusive {
		t.Fatal("the corpus's exit codes differ from the CLI's")
	}
	if hostile.MaxPasswordFile != MaxPasswordFile {
		t.Fatal("the corpus's password file limit differs from the CLI's")
	}
	corpus := hostile.Corpus("../../demo")
	if len(corpus) < 200 {
		t.Errorf("%d hostile cases, want at least 200", len(corpus))
	}
	seen := map[string]bool{}
	for _, tc := range corpus {
		if seen[tc.Name] {
			t.Fatalf("two cases named %q", tc.Name)
		}
		seen[tc.Name] = true
		t.Run(tc.Name, func(t *testing.T) {
			if tc.Env == nil {
				t.Parallel() // the cases with an environment run first, one at a time
			}
			for k, v := range tc.Env {
				t.Setenv(k, v)
			}
			scanHostile(t, tc)
		})
	}
}

func scanHostile(t *testing.T, tc hostile.Case) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	inputs, named, err := tc.Build(in)
	if err != nil {
		t.Fatal(err)
	}
	if tc.WithClean {
		clean := filepath.Join(in, "clean.pcap")
		write(t, clean, hostile.CleanCapture())
		inputs = append(inputs, clean)
	}
	before := snapshot(t, inputs)
	out := filepath.Join(dir, "out")
	// a small indicator file keeps the many scans fast (the embedded
	// snapshot is parsed by every run); it holds the planted domain.
	iocs := filepath.Join(dir, "planted.stix2")
	write(t, iocs, []byte(plantedSTIX))
	args := []string{"scan", "--quiet", "--lang", "en", "--output", out, "--no-embedded-iocs", "--no-cache-iocs", "--iocs", iocs}
	if tc.Flags != nil {
		args = append(args, tc.Flags(in)...)
	}
	code, stdout, stderr := run(t, append(args, inputs...)...)
	defer func() {
		if t.Failed() || testing.Verbose() {
			t.Logf("stdout:\n%s\nstderr:\n%s", stdout, stderr)
		}
	}()
	for _, bad := range []string{"panic", "goroutine "} {
		if strings.Contains(stderr, bad) || strings.Contains(stdout, bad) {
			t.Errorf("output holds %q", bad)
		}
	}
	if code != tc.Code {
		t.Errorf("exit code %d, want %d", code, tc.Code)
	}
	switch {
	case tc.Ran && (tc.Unseen || tc.Code == ExitOK):
		readJSON(t, filepath.Join(out, "info.json"), &struct{}{})
	case tc.Ran:
		checkReport(t, out, named, tc.Err)
		checkLogNames(t, stderr, named)
	default:
		checkOneLine(t, stderr, named, tc.Err)
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("output folder %s left behind by a scan that did not run", out)
		}
	}
	if tc.WithClean {
		checkModulesOK(t, out, len(inputs))
	}
	if tc.Check != nil && tc.Ran {
		if err := tc.Check(out); err != nil {
			t.Error(err)
		}
	}
	after := snapshot(t, inputs)
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s appeared next to the evidence (SQLite -wal, -shm or -journal?)", p)
		}
	}
	if !equalSnap(before, after) {
		t.Errorf("evidence changed by the scan:\nbefore %v\nafter  %v", before, after)
	}
}

// checkModulesOK: every module that read input n (1-based) of a result
// folder completed.
func checkModulesOK(t *testing.T, out string, n int) {
	t.Helper()
	mods, _ := filepath.Glob(filepath.Join(out, "modules", fmt.Sprintf("input%d", n), "*.json"))
	if len(mods) == 0 {
		t.Errorf("no module read input %d (the clean capture)", n)
	}
	for _, m := range mods {
		var mr struct{ Module, Status, Reason string }
		readJSON(t, m, &mr)
		if mr.Status != "ok" {
			t.Errorf("module %s on the clean capture: %s %s", mr.Module, mr.Status, mr.Reason)
		}
	}
}

// plantedSTIX holds the one indicator planted in the generated and demo
// inputs used here.
const plantedSTIX = `{"type": "bundle", "id": "bundle--6f0c7a52-0c5e-4d1a-9a57-000000000001", "objects": [
{"type": "malware", "spec_version": "2.1", "id": "malware--6f0c7a52-0c5e-4d1a-9a57-000000000002", "name": "Pegasus", "is_family": true},
{"type": "indicator", "spec_version": "2.1", "id": "indicator--6f0c7a52-0c5e-4d1a-9a57-000000000003", "pattern_type": "stix",
 "pattern": "[domain-name:value = 'free247downloads.com']", "valid_from": "2021-07-18T00:00:00Z"},
{"type": "relationship", "spec_version": "2.1", "id": "relationship--6f0c7a52-0c5e-4d1a-9a57-000000000004", "relationship_type": "indicates",
 "source_ref": "indicator--6f0c7a52-0c5e-4d1a-9a57-000000000003", "target_ref": "malware--6f0c7a52-0c5e-4d1a-9a57-000000000002"}]}`

// catchDefaultLog fails the test if anything logs through the process's
// default logger (slog or log) instead of the CLI's: the library must not
// print.
func catchDefaultLog(t *testing.T) {
	h := &leakHandler{}
	prev := slog.Default()
	slog.SetDefault(slog.New(h))
	t.Cleanup(func() {
		slog.SetDefault(prev)
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, m := range h.msgs {
			t.Errorf("logged through the default logger, not the CLI's: %s", m)
		}
	})
}

type leakHandler struct {
	mu   sync.Mutex
	msgs []string
}

func (h *leakHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *leakHandler) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h *leakHandler) WithGroup(string) slog.Handler            { return h }
func (h *leakHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, r.Message)
	return nil
}

// checkOneLine: a scan that did not run says why in exactly one stderr line
// that names the file.
func checkOneLine(t *testing.T, stderr, named, want string) {
	t.Helper()
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
		if strings.HasPrefix(l, "spyscan: ") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 || !strings.HasSuffix(stderr, lines[0]+"\n") {
		t.Fatalf("want one final 'spyscan: ' error line, got %q", stderr)
	}
	if !strings.Contains(lines[0], named) || !strings.Contains(lines[0], want) {
		t.Errorf("error line %q does not name %s or lacks %q", lines[0], named, want)
	}
	if n := strings.Count(lines[0], named); n > 1 {
		t.Errorf("error line %q names %s %d times", lines[0], named, n)
	}
}

// checkLogNames: when the scan went on, a log line names the file.
func checkLogNames(t *testing.T, stderr, named string) {
	t.Helper()
	for _, l := range strings.Split(stderr, "\n") {
		// Plain sentences at the default level; key=value with -v.
		warn := strings.HasPrefix(l, "spyscan: warning: ") || strings.HasPrefix(l, "spyscan: error: ") ||
			strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR")
		if strings.Contains(l, filepath.Base(named)) && warn {
			return
		}
	}
	t.Errorf("no warning on stderr names %s", named)
}

// checkReport: the failure is in info.json or a module file, and the verdict
// is not a clean one.
func checkReport(t *testing.T, out, named, want string) {
	t.Helper()
	var info struct {
		Inputs   []struct{ Path, Error string } `json:"inputs"`
		Warnings []string                       `json:"indicator_warnings"`
		SelfTest struct{ Problems []string }    `json:"self_test"`
	}
	readJSON(t, filepath.Join(out, "info.json"), &info)
	found := append(info.Warnings, info.SelfTest.Problems...)
	for _, in := range info.Inputs {
		if in.Error != "" {
			found = append(found, in.Error)
		}
	}
	mods, _ := filepath.Glob(filepath.Join(out, "modules", "input*", "*.json"))
	for _, m := range mods {
		var mr struct {
			Status, Reason string
			Errors         []struct{ Path, Error string }
		}
		readJSON(t, m, &mr)
		if mr.Status == "failed" {
			found = append(found, mr.Reason)
		}
		for _, e := range mr.Errors {
			found = append(found, e.Path+": "+e.Error)
		}
	}
	ok := false
	for _, f := range found {
		if strings.Contains(f, filepath.Base(named)) && strings.Contains(f, want) {
			ok = true
		}
	}
	if !ok {
		t.Errorf("failure for %s (%q) not in the report; listed failures: %q", named, want, found)
	}
	var rep struct {
		Verdict string `json:"verdict"`
	}
	b, err := os.ReadFile(filepath.Join(out, "report.html"))
	if err != nil || len(b) == 0 {
		t.Errorf("report.html missing: %v", err)
	}
	readJSON(t, filepath.Join(out, "info.json"), &rep)
	if rep.Verdict == "" || rep.Verdict == "no-known-traces" {
		t.Errorf("verdict %q despite an unreadable artifact", rep.Verdict)
	}
}

func readJSON(t *testing.T, p string, v any) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", p, err)
	}
}

// snapshot hashes every file under the inputs (content and mtime) and lists
// every name, so new -wal/-shm/-journal files show up too.
func snapshot(t *testing.T, inputs []string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, in := range inputs {
		filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				t.Fatal(err)
			}
			st, err := d.Info()
			if err != nil {
				t.Fatal(err)
			}
			v := st.Mode().String() + " " + st.ModTime().UTC().Format(time.RFC3339Nano)
			if d.Type()&fs.ModeSymlink != 0 { // listed by its target, never followed
				target, err := os.Readlink(p)
				if err != nil {
					t.Fatal(err)
				}
				m[p] = v + " -> " + target
				return nil
			}
			if d.Type().IsRegular() { // a FIFO or device is listed by its mode, never opened
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				h := sha256.Sum256(b)
				v += " " + hex.EncodeToString(h[:])
			}
			m[p] = v
			return nil
		})
	}
	return m
}

// --- builders shared by the other tests ---

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func iosDump(f iosgen.DumpFormat, name string) func(*testing.T, string) ([]string, string) {
	return func(t *testing.T, dir string) ([]string, string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(dir, 0o755)
		files := append(iosgen.DemoBackupFiles(), iosdata.SMS(200)...)
		if err := iosgen.WriteDump(p, iosgen.DumpSpec{Files: files, Format: f}); err != nil {
			t.Fatal(err)
		}
		return []string{p}, p
	}
}

func smsID() string { return hostile.SMSID() }

func iosEncrypted(t *testing.T, dir string) ([]string, string) {
	p, err := hostile.EncryptedBackup(dir)
	if err != nil {
		t.Fatal(err)
	}
	return []string{p}, p
}

func garbagePcap() []byte { return hostile.GarbagePcap() }

// TestDecryptWrongPassword: `ios decrypt` with a wrong password says so in
// one line and leaves no output folder behind.
func TestDecryptWrongPassword(t *testing.T) {
	isolate(t)
	t.Setenv("SPYSCAN_BACKUP_PASSWORD", "wrong-password")
	dir := t.TempDir()
	ins, named := iosEncrypted(t, filepath.Join(dir, "in"))
	before := snapshot(t, ins)
	out := filepath.Join(dir, "decrypted")
	code, stdout, stderr := run(t, "ios", "decrypt", "--output", out, ins[0])
	if code != ExitUsage || stdout != "" {
		t.Errorf("exit %d stdout %q, want 2 and nothing", code, stdout)
	}
	checkOneLine(t, stderr, named, "wrong password")
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output folder %s left behind", out)
	}
	if fmt.Sprint(before) != fmt.Sprint(snapshot(t, ins)) {
		t.Errorf("evidence changed")
	}
}
