package scan

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
)

// textOpener accepts *.urls files: one URL a line.
type textOpener struct{}

func (textOpener) Name() string { return "test-urls" }
func (textOpener) Detect(_ context.Context, p string) (acquisition.Kind, bool) {
	return acquisition.NetworkLog, strings.HasSuffix(p, ".urls")
}
func (textOpener) Open(_ context.Context, p string, k acquisition.Kind, _ acquisition.Options) (*acquisition.Acquisition, error) {
	if strings.Contains(p, "locked") {
		return nil, fmt.Errorf("%s: %w", p, acquisition.ErrNeedPassword)
	}
	if strings.Contains(p, "wrong") {
		return nil, fmt.Errorf("%s: %w", p, acquisition.ErrWrongPassword)
	}
	return &acquisition.Acquisition{FS: os.DirFS(filepath.Dir(p)), Meta: map[string]string{"name": filepath.Base(p)}}, nil
}

// urlModule checks every line of the input file.
type urlModule struct{}

func (urlModule) Version() int                    { return 1 }
func (urlModule) Name() string                    { return "urls" }
func (urlModule) Applies(k acquisition.Kind) bool { return k == acquisition.NetworkLog }
func (urlModule) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	name := in.Acq.Meta["name"]
	b, err := fs.ReadFile(in.Acq.FS, name)
	if err != nil {
		return err
	}
	rec.File(name)
	for i, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		t := time.Date(2024, 1, 1, 0, i, 0, 0, time.UTC)
		rec.Record(map[string]any{"line": i + 1, "url": line})
		rec.Event(model.Event{Time: t, Event: "url", Description: line})
		rec.CheckURL(line, module.Where{Artifact: name, Time: t, Label: i18n.M("type.url"), Record: map[string]int{"line": i + 1}})
	}
	return nil
}

type panicModule struct{}

func (panicModule) Version() int                  { return 1 }
func (panicModule) Name() string                  { return "panics" }
func (panicModule) Applies(acquisition.Kind) bool { return true }
func (panicModule) Run(context.Context, *module.Input, *module.Recorder) error {
	var m map[string]int
	m["boom"]++ // nil map write: a panic the core must contain
	return nil
}

type absentModule struct{}

func (absentModule) Version() int                  { return 1 }
func (absentModule) Name() string                  { return "absent" }
func (absentModule) Applies(acquisition.Kind) bool { return true }
func (absentModule) Run(context.Context, *module.Input, *module.Recorder) error {
	return module.ErrNotFound
}

func testIndex() *match.Index {
	ix, _ := match.NewIndex([]match.Indicator{{Type: match.Domain, Value: "free247downloads.com",
		Sources: []model.Provenance{{Source: "test", Family: "Pegasus"}}}})
	return ix
}

func testConfig(inputs []string, out string) Config {
	return Config{Inputs: inputs, Index: testIndex(), OutDir: out,
		Info:     model.ScanInfo{Tool: "spyscan", Version: "test", SelfTest: model.SelfTest{CanaryOK: true}},
		Openers:  []acquisition.Opener{textOpener{}},
		Modules:  []module.Module{urlModule{}, panicModule{}, absentModule{}},
		Now:      func() time.Time { return time.Date(2025, 5, 5, 5, 5, 5, 0, time.UTC) },
		Progress: nil}
}

func writeInput(t *testing.T, dir, name, body string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunModulesAndStatuses(t *testing.T) {
	in := writeInput(t, t.TempDir(), "a.urls", "https://x.free247downloads.com/a\nhttps://notfree247downloads.com/\n")
	res, err := runScan(t, testConfig([]string{in}, ""))
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report
	st := map[string]model.Status{}
	for _, m := range r.Modules {
		st[m.Module] = m.Status
	}
	if st["urls"] != model.StatusOK || st["panics"] != model.StatusFailed || st["absent"] != model.StatusEmpty {
		t.Errorf("statuses = %v", st)
	}
	if len(r.Alerts) != 1 || r.Alerts[0].Level != model.Critical || r.Alerts[0].Match.Indicator != "free247downloads.com" {
		t.Fatalf("alerts = %+v", r.Alerts)
	}
	if r.Verdict != model.VerdictDetected {
		t.Errorf("verdict = %s", r.Verdict)
	}
	if len(r.Info.Inputs) != 1 || len(r.Info.Inputs[0].Files) != 1 || len(r.Info.Inputs[0].Files[0].SHA256) != 64 {
		t.Errorf("inputs = %+v", r.Info.Inputs)
	}
	if obs := observables(t, res); len(obs) != 2 {
		t.Errorf("observables = %+v", obs)
	}
	if tl := events(t, r); len(tl) != 2 {
		t.Errorf("timeline = %+v", tl)
	}
}

func TestCleanInputIsInconclusiveWhenAModuleFails(t *testing.T) {
	in := writeInput(t, t.TempDir(), "clean.urls", "https://example.org/\n")
	cfg := testConfig([]string{in}, "")
	res, err := runScan(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Verdict != model.VerdictInconclusive {
		t.Errorf("verdict = %s, want inconclusive (a module panicked)", res.Report.Verdict)
	}
	cfg.Modules = []module.Module{urlModule{}}
	res, err = runScan(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Report.Verdict != model.VerdictClean {
		t.Errorf("verdict = %s, want no-known-traces; problems %v", res.Report.Verdict, res.Report.Info.SelfTest.Problems)
	}
	cfg.Info.SelfTest.CanaryOK = false
	res, _ = runScan(t, cfg)
	if res.Report.Verdict != model.VerdictInconclusive {
		t.Errorf("verdict = %s, want inconclusive when the canary failed", res.Report.Verdict)
	}
}

func TestUnrecognisedAndPassword(t *testing.T) {
	dir := t.TempDir()
	odd := writeInput(t, dir, "odd.bin", "SQLite format 3\x00xxxx")
	_, err := runScan(t, testConfig([]string{odd}, ""))
	if !errors.Is(err, acquisition.ErrUnrecognised) || !strings.Contains(err.Error(), "odd.bin (looks like a lone SQLite database)") {
		t.Errorf("err = %v", err)
	}
	good := writeInput(t, dir, "a.urls", "https://example.org/\n")
	locked := writeInput(t, dir, "locked.urls", "x")
	locked2 := writeInput(t, dir, "locked2.urls", "x")
	wrong := writeInput(t, dir, "wrong.urls", "x")
	for _, tc := range []struct {
		name   string
		inputs []string
		fatal  error // nil: the scan runs and lists the last input as not read
	}{
		{"one unrecognised among others", []string{good, odd}, nil},
		{"a missing password among others", []string{good, locked}, nil},
		{"a missing password alone", []string{locked}, acquisition.ErrNeedPassword},
		{"missing passwords, nothing else to read", []string{locked, locked2}, acquisition.ErrNeedPassword},
		{"a wrong password among others", []string{good, wrong}, acquisition.ErrWrongPassword},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := runScan(t, testConfig(tc.inputs, ""))
			if tc.fatal != nil {
				if !errors.Is(err, tc.fatal) {
					t.Errorf("err = %v, want %v to stop the scan", err, tc.fatal)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v, want the input listed, not fatal", err)
			}
			last := res.Report.Info.Inputs[len(tc.inputs)-1]
			if last.Error == "" || res.Report.Verdict != model.VerdictInconclusive {
				t.Errorf("input %+v, verdict %s: want it listed as not read and the verdict inconclusive", last, res.Report.Verdict)
			}
		})
	}
}

func TestMultiInputCase(t *testing.T) {
	dir := t.TempDir()
	a := writeInput(t, dir, "a.urls", "https://free247downloads.com/\n")
	b := writeInput(t, dir, "b.urls", "https://example.org/\n")
	odd := writeInput(t, dir, "c.txt", "hello")
	cfg := testConfig([]string{a, b, odd}, "")
	cfg.Modules = []module.Module{urlModule{}}
	res, err := runScan(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report
	if tl := events(t, r); len(tl) != 2 || tl[0].Input != a || tl[1].Input != b {
		t.Errorf("merged timeline = %+v", tl)
	}
	if len(r.Alerts) != 1 || r.Alerts[0].Input != a {
		t.Errorf("alerts = %+v", r.Alerts)
	}
	if r.Info.Inputs[2].Error == "" || r.Verdict != model.VerdictDetected {
		t.Errorf("third input should be listed as unreadable: %+v, verdict %s", r.Info.Inputs[2], r.Verdict)
	}
}

// TestDeterministicOutput: two runs give byte-identical files, apart from
// info.json's generated_at.
func TestDeterministicOutput(t *testing.T) {
	in := writeInput(t, t.TempDir(), "a.urls", "https://x.free247downloads.com/a\nhttps://b.free247downloads.com/\nhttps://example.org/\n")
	var outs []string
	for i := 0; i < 2; i++ {
		out := t.TempDir()
		cfg := testConfig([]string{in}, out)
		now := time.Date(2025, 1, 1, 0, 0, i, 0, time.UTC)
		cfg.Now = func() time.Time { return now }
		res, err := runScan(t, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if err := output.Write(out, res.Report, res.Observables); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	files := sameTree(t, outs[0], outs[1], func(rel string, b []byte) []byte {
		if rel == output.InfoFile {
			return dropLine(b, "generated_at")
		}
		return b
	})
	if files < 7 {
		t.Errorf("only %d files written", files)
	}
	// And the folder loads back.
	r, obs, err := output.Load(outs[0])
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Alerts) != 2 || len(obs) != 3 || len(r.Modules) != 3 || r.Verdict != model.VerdictDetected {
		t.Errorf("loaded: %d alerts, %d observables, %d modules, verdict %s", len(r.Alerts), len(obs), len(r.Modules), r.Verdict)
	}
	n := 0
	err = output.EachRecord(outs[0], filepath.Join(output.ModuleDir(0), "urls.json"), func(b json.RawMessage) error {
		if !json.Valid(b) {
			t.Errorf("record %q is not JSON", b)
		}
		n++
		return nil
	})
	if err != nil || n != 3 {
		t.Errorf("urls records = %d, want 3 (%v)", n, err)
	}
}

// sameTree reports every file of folder a that is missing from folder b
// or differs from it (both passed through norm when it is not nil), and
// returns how many files a holds.
func sameTree(t *testing.T, a, b string, norm func(rel string, data []byte) []byte) int {
	t.Helper()
	files := 0
	err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			t.Errorf("%s: missing from %s: %v", rel, b, err)
			return nil
		}
		if norm != nil {
			x, y = norm(rel, x), norm(rel, y)
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between %s and %s:\n%s\n---\n%s", rel, a, b, x, y)
		}
		files++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func dropLine(b []byte, key string) []byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if !bytes.Contains(l, []byte(key)) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

// stuckModule parses for seconds without looking at its context.
type stuckModule struct{}

func (stuckModule) Version() int                  { return 1 }
func (stuckModule) Name() string                  { return "stuck" }
func (stuckModule) Applies(acquisition.Kind) bool { return true }
func (stuckModule) Run(context.Context, *module.Input, *module.Recorder) error {
	time.Sleep(5 * time.Second)
	return nil
}

// TestInterruptAbandonsStuckModule: an interrupted scan returns within a
// second even while a module ignores its context, with the context's
// error (never a corrupt input), and removes its temp folder.
func TestInterruptAbandonsStuckModule(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	in := writeInput(t, t.TempDir(), "a.urls", "https://example.org/\n")
	cfg := testConfig([]string{in}, "")
	cfg.Modules = []module.Module{stuckModule{}, urlModule{}}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := Run(ctx, cfg)
	if !errors.Is(err, context.Canceled) || errors.Is(err, acquisition.ErrCorrupt) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 1200*time.Millisecond {
		t.Errorf("returned %v after the start (cancelled at 200ms)", took)
	}
	if ents, _ := os.ReadDir(tmp); len(ents) > 0 {
		t.Errorf("temp files left: %v", ents)
	}
}

func events(t *testing.T, r *model.Report) []model.Event {
	t.Helper()
	var out []model.Event
	if err := r.EachEvent(func(e *model.Event) error { out = append(out, *e); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(out) != r.EventCount() {
		t.Errorf("EventCount %d, %d events read", r.EventCount(), len(out))
	}
	return out
}

func observables(t *testing.T, res *Result) []output.ObservableRecord {
	t.Helper()
	var out []output.ObservableRecord
	if err := res.Observables.Each(func(o *output.ObservableRecord) error { out = append(out, *o); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// runScan runs a scan and removes its spool when the test ends.
func runScan(t *testing.T, cfg Config) (*Result, error) {
	t.Helper()
	res, err := Run(context.Background(), cfg)
	t.Cleanup(func() {
		if err := res.Close(); err != nil {
			t.Error(err)
		}
	})
	return res, err
}

// tzOpener is textOpener for an input that carries its time zone.
type tzOpener struct{ textOpener }

func (tzOpener) Open(ctx context.Context, p string, k acquisition.Kind, o acquisition.Options) (*acquisition.Acquisition, error) {
	acq, err := textOpener{}.Open(ctx, p, k, o)
	if err == nil && strings.Contains(p, "paris") {
		acq.TZ = "Europe/Paris"
	}
	return acq, err
}

// The time zone the user gives is the device's for inputs without one (as
// MVT's check-intrusion-logs --timezone), and is said to come from the
// user; an input's own time zone wins.
func TestDeviceTimezoneOption(t *testing.T) {
	dir := t.TempDir()
	bare := writeInput(t, dir, "a.urls", "https://example.org/\n")
	paris := writeInput(t, dir, "paris.urls", "https://example.org/\n")
	cfg := testConfig([]string{bare, paris}, "")
	cfg.Openers = []acquisition.Opener{tzOpener{}}
	cfg.Options.DeviceTZ = "America/New_York"
	res, err := runScan(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ins := res.Report.Info.Inputs
	if len(ins) != 2 {
		t.Fatalf("inputs %+v", ins)
	}
	if ins[0].TZ != "America/New_York" || ins[0].Meta["timezone_source"] != "--timezone" {
		t.Errorf("input without a time zone: %q %v", ins[0].TZ, ins[0].Meta)
	}
	if ins[1].TZ != "Europe/Paris" || ins[1].Meta["timezone_source"] != "" {
		t.Errorf("input with its own time zone: %q %v", ins[1].TZ, ins[1].Meta)
	}
}

// TestHashGoesOnPastUnreadableFile: a file of a folder input that cannot be
// read (here a permission error, as a disk error would be) is listed as
// unreadable and becomes a problem naming it; the other files are hashed.
func TestHashGoesOnPastUnreadableFile(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"a", "b", "c"} {
		writeInput(t, dir, n, "data "+n)
	}
	open := openForHash
	t.Cleanup(func() { openForHash = open })
	openForHash = func(p string) (io.ReadCloser, error) {
		if filepath.Base(p) == "b" {
			return nil, fs.ErrPermission
		}
		return open(p)
	}
	var files []model.InputFile
	problems, err := hashPath(context.Background(), dir, func(f *model.InputFile) error { files = append(files, *f); return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 3 || files[1].Path != "b" || files[1].Type != "unreadable" || len(files[0].SHA256) != 64 || len(files[2].SHA256) != 64 {
		t.Fatalf("files %+v", files)
	}
	if len(problems) != 1 || problems[0].Path != "b" || problems[0].Kind != model.KindUnreadable {
		t.Fatalf("problems %+v", problems)
	}
	if _, err := HashPath(context.Background(), dir); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "b")+": permission denied") {
		t.Errorf("HashPath error %v, want the unreadable file's", err)
	}
}

// TestMissingInputAmongOthers: an input that does not exist, given with
// others, is listed with its error while the others are scanned, and the
// verdict cannot be clean.
func TestMissingInputAmongOthers(t *testing.T) {
	dir := t.TempDir()
	good := writeInput(t, dir, "a.urls", "https://example.org/\n")
	missing := filepath.Join(dir, "gone.urls")
	cfg := testConfig([]string{good, missing}, "")
	cfg.Modules = []module.Module{urlModule{}}
	res, err := runScan(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := res.Report
	if len(r.Info.Inputs[0].Files) != 1 || !strings.Contains(r.Info.Inputs[1].Error, "gone.urls") {
		t.Errorf("inputs %+v", r.Info.Inputs)
	}
	if r.Verdict != model.VerdictInconclusive {
		t.Errorf("verdict %s, want inconclusive", r.Verdict)
	}
}

// TestSpooledFileListSameBytes: an input whose file list is streamed to
// the spool (more than keepFiles files) gives the same result folder,
// byte for byte, as one whose list is held in memory.
func TestSpooledFileListSameBytes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "case.urls")
	for _, n := range []string{"a.txt", "b/<c&d>.txt", "b/e.txt", "f é.txt", "z/y/x.txt"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(n)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeInput(t, dir, n, "data "+n)
	}
	if err := os.Symlink("a.txt", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	single := writeInput(t, t.TempDir(), "a.urls", "https://x.free247downloads.com/a\n")
	keep := keepFiles
	t.Cleanup(func() { keepFiles = keep })
	var outs []string
	for _, k := range []int{1 << 20, 2} {
		keepFiles = k
		out := t.TempDir()
		res, err := runScan(t, testConfig([]string{dir, single}, out))
		if err != nil {
			t.Fatal(err)
		}
		in := res.Report.Info.Inputs[0]
		if spooled := in.Spooled != nil; spooled != (k == 2) || in.FileCount() != 6 || (k == 2 && in.Files != nil) {
			t.Fatalf("keepFiles %d: spooled %v, %d files, Files %v", k, spooled, in.FileCount(), in.Files)
		}
		if err := output.Write(out, res.Report, res.Observables); err != nil {
			t.Fatal(err)
		}
		outs = append(outs, out)
	}
	n := sameTree(t, outs[0], outs[1], nil)
	r, _, err := output.Load(outs[1])
	if err != nil {
		t.Fatal(err)
	}
	if n < 7 || len(r.Info.Inputs[0].Files) != 6 || r.Info.Inputs[0].Files[1].Path != "b/<c&d>.txt" || len(r.Info.Inputs[0].Files[1].SHA256) != 64 {
		t.Errorf("%d files written; loaded input files %+v", n, r.Info.Inputs[0].Files)
	}
}
