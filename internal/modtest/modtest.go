// Package modtest owns the one test harness of the artifact modules (iOS,
// Android and network): it runs a module over files in memory, or over an
// acquisition a test opened, with the embedded indicators, compares the
// result with a golden file through internal/golden (rewritten with
// -update), and asserts what a module must have found, must not have
// found, and which files it read. ios.go lays generated iOS files out as a
// backup or a dump; android.go gives the generated bugreport and androidqf
// cases.
package modtest

import (
	"context"
	"encoding/json"
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/cputime"
	"github.com/spyscan/spyscan/internal/golden"
	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

var (
	once sync.Once
	ix   *match.Index
	ierr error
)

// Index returns the index of the embedded indicator snapshot (built once
// per test binary).
func Index(t testing.TB) *match.Index {
	t.Helper()
	once.Do(func() {
		set, err := indicators.Load(context.Background(), indicators.Options{})
		if err != nil {
			ierr = err
			return
		}
		ix = set.Index()
	})
	if ierr != nil {
		t.Fatal(ierr)
	}
	return ix
}

// SmallIndex returns an index with a few planted indicators of each type
// used by the iOS acquisition-level modules (backup info, manifest,
// filesystem, shutdown log, profiles), for tests that build their own
// acquisition rather than a generated layout.
func SmallIndex(t testing.TB) *match.Index {
	t.Helper()
	src := []model.Provenance{{Source: "test", Family: "Pegasus"}}
	var inds []match.Indicator
	add := func(typ match.Type, vals ...string) {
		for _, v := range vals {
			inds = append(inds, match.Indicator{Type: typ, Value: v, Sources: src})
		}
	}
	add(match.Domain, "free247downloads.com")
	add(match.Process, "bh", "roleaccountd")
	add(match.FilePath, "/private/var/db/com.apple.xpc.roleaccountd.staging/subridged", "/private/var/tmp/hooker")
	add(match.FileName, "rce_loader.js")
	add(match.Profile, "76DAB334-7E17-475D-A5D6-0794EB5818A5")
	ix, rejects := match.NewIndex(inds)
	if len(rejects) > 0 {
		t.Fatalf("rejected indicators: %v", rejects)
	}
	return ix
}

// mtime is the modification time of every file FS lays out.
var mtime = time.Date(2024, 5, 20, 14, 3, 11, 0, time.UTC)

// FS turns a map of path → content into an in-memory file system of
// read-only files.
func FS(files map[string][]byte) fstest.MapFS {
	m := fstest.MapFS{}
	for p, b := range files {
		m[p] = &fstest.MapFile{Data: b, Mode: 0o444, ModTime: mtime}
	}
	return m
}

// Files is what Run reads: a map of path → content, or a file system.
type Files interface {
	map[string][]byte | fstest.MapFS
}

func toFS[F Files](files F) fs.FS {
	switch f := any(files).(type) {
	case map[string][]byte:
		return FS(f)
	case fstest.MapFS:
		return f
	}
	panic("unreachable")
}

// Run runs m over files as an acquisition of kind with the embedded
// indicators and returns its result and error. It fails the test if m does
// not apply to kind.
func Run[F Files](t testing.TB, m module.Module, kind acquisition.Kind, files F) (model.ModuleResult, error) {
	t.Helper()
	if !m.Applies(kind) {
		t.Fatalf("%s does not apply to %s", m.Name(), kind)
	}
	return RunAcq(t, m, &acquisition.Acquisition{Path: "test", Kind: kind, FS: toFS(files)}, Index(t))
}

// RunAcq runs m on an acquisition the test built (a real backup or dump
// opened by its opener, say) with index ix, and returns its result.
func RunAcq(t testing.TB, m module.Module, acq *acquisition.Acquisition, ix *match.Index) (model.ModuleResult, error) {
	t.Helper()
	rec := module.NewRecorder(m.Name(), ix, nil)
	in := &module.Input{Acq: acq, Index: ix, TempDir: t.TempDir(), Log: slog.New(slog.DiscardHandler)}
	err := m.Run(context.Background(), in, rec)
	return rec.Result(), err
}

// goldenFile is what a module's golden file holds: the result and the
// timeline (which the result's JSON leaves out).
type goldenFile struct {
	Result   model.ModuleResult `json:"result"`
	Timeline []model.Event      `json:"timeline"`
}

// Golden compares res with testdata/<name>.golden.json.
func Golden(t testing.TB, name string, res model.ModuleResult) {
	t.Helper()
	golden.JSON(t, filepath.Join("testdata", name+".golden.json"), goldenFile{res, res.Timeline})
}

// Case is one acquisition of a module test.
type Case struct {
	Name string
	Kind acquisition.Kind
	FS   fstest.MapFS
}

// runCases runs m on each case, fails on a module error, calls check, and
// compares the result with the golden file named by name.
func runCases(t *testing.T, m module.Module, cases []Case, name func(Case) string, check func(t *testing.T, c Case, res model.ModuleResult)) {
	t.Helper()
	if len(cases) == 0 {
		t.Fatal("no cases")
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			res, err := Run(t, m, c.Kind, c.FS)
			if err != nil {
				t.Fatal(err)
			}
			if check != nil {
				check(t, c, res)
			}
			Golden(t, name(c), res)
		})
	}
}

// GoldenCases runs m on each case, calls check (if not nil) and compares
// the result with testdata/<module>.<case>.golden.json (named after the
// module, as GoldenLayouts and GoldenQF do, since the modules' tests share
// one testdata folder).
func GoldenCases(t *testing.T, m module.Module, cases []Case, check func(t *testing.T, c Case, res model.ModuleResult)) {
	t.Helper()
	runCases(t, m, cases, func(c Case) string { return m.Name() + "." + c.Name }, check)
}

// Records decodes a module result's records as T, failing the test on a
// record that does not decode.
func Records[T any](t testing.TB, res model.ModuleResult) []T {
	t.Helper()
	var out []T
	for _, r := range res.Records {
		var v T
		if err := json.Unmarshal(r, &v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// HasAlert reports whether res has an alert of at least level whose
// message contains sub (and, when indicator is true, an indicator match).
func HasAlert(res model.ModuleResult, level model.Level, indicator bool, sub string) bool {
	for _, a := range res.Alerts {
		if a.Level >= level && (a.Match != nil) == indicator && strings.Contains(a.Message, sub) {
			return true
		}
	}
	return false
}

// WantAlert fails unless HasAlert.
func WantAlert(t testing.TB, res model.ModuleResult, level model.Level, indicator bool, sub string) {
	t.Helper()
	if !HasAlert(res, level, indicator, sub) {
		var msgs []string
		for _, a := range res.Alerts {
			msgs = append(msgs, a.Level.String()+" "+a.Message)
		}
		t.Errorf("no %s alert (indicator=%v) mentioning %q; alerts:\n%s", level, indicator, sub, strings.Join(msgs, "\n"))
	}
}

// NoAlertMentions fails if any alert mentions s (a clean look-alike).
func NoAlertMentions(t testing.TB, res model.ModuleResult, s string) {
	t.Helper()
	for _, a := range res.Alerts {
		if strings.Contains(a.Message, s) {
			t.Errorf("clean look-alike %q alerted: %s", s, a.Message)
		}
	}
}

// Alerted reports whether any alert's message contains s.
func Alerted(res model.ModuleResult, s string) bool {
	for _, a := range res.Alerts {
		if strings.Contains(a.Message, s) {
			return true
		}
	}
	return false
}

// WantFiles fails unless the module read exactly the files want (in any
// order): what it lists through Recorder.File, the paths a report names as
// evidence.
func WantFiles(t testing.TB, res model.ModuleResult, want ...string) {
	t.Helper()
	got := slices.Sorted(slices.Values(res.Files))
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		t.Errorf("files read: %q, want %q", got, want)
	}
}

// Bench runs m over fsys b.N times with the embedded indicators, streaming
// records to a discarding sink as the scan core does, and reports the
// records per second and the process CPU time per run (which includes the
// garbage collector's background work).
func Bench(b *testing.B, m module.Module, kind acquisition.Kind, fsys fs.FS) {
	b.Helper()
	x := Index(b)
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	seen := 0
	cpu0 := cputime.Process()
	for i := 0; i < b.N; i++ {
		rec := module.NewRecorder(m.Name(), x, func(json.RawMessage) error { return nil })
		in := &module.Input{Acq: &acquisition.Acquisition{Path: "bench", Kind: kind, FS: fsys}, Index: x, TempDir: dir}
		if err := m.Run(context.Background(), in, rec); err != nil {
			b.Fatal(err)
		}
		res := rec.Result()
		if len(res.Errors) > 0 {
			b.Fatal(res.Errors)
		}
		seen = res.Seen
	}
	b.ReportMetric(float64(seen)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	if c := cputime.Process() - cpu0; c > 0 {
		b.ReportMetric(float64(c.Milliseconds())/float64(b.N), "cpu-ms/op") // robust on a shared machine
	}
}

// WantMVTKeys fails unless some record of res (of those match accepts;
// all when match is nil) has each key of mvtKeys, MVT's key names for the
// module's results, looked up through renamed (MVT's name -> the spyscan
// field holding the same value, docs/mvt-parity.md) when it lists them. A
// spyscan name may name a nested field: "organizer.email" (an object's
// field), "attachments[].uti" (a field of a list's objects).
func WantMVTKeys(t testing.TB, res model.ModuleResult, match func(map[string]any) bool, mvtKeys []string, renamed map[string]string) {
	t.Helper()
	have := map[string]bool{}
	for _, r := range res.Records {
		var m map[string]any
		if err := json.Unmarshal(r, &m); err != nil {
			t.Fatalf("record %s: %v", r, err)
		}
		if match != nil && !match(m) {
			continue
		}
		for k, v := range m {
			have[k] = true
			nestedKeys(have, k, v)
		}
	}
	var missing []string
	for _, k := range mvtKeys {
		if to, ok := renamed[k]; ok {
			k = to
		}
		if !have[k] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%s: records lack MVT's keys %q", res.Module, missing)
	}
}

// nestedKeys adds to have the names of v's fields, when v is an object or
// a list of objects: k.field and k[].field.
func nestedKeys(have map[string]bool, k string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for f := range v {
			have[k+"."+f] = true
		}
	case []any:
		for _, e := range v {
			if o, ok := e.(map[string]any); ok {
				for f := range o {
					have[k+"[]."+f] = true
				}
			}
		}
	}
}
