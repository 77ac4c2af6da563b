// Package modtest owns the test harness of the iOS artifact modules: it
// lays generated iosgen.Files out as a backup or as a filesystem dump in
// memory, runs a module with the embedded indicators, and compares the
// result with a golden JSON file under testdata (rewritten with -update).
package modtest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

var update = flag.Bool("update", false, "rewrite golden files")

var (
	once sync.Once
	ix   *match.Index
	ierr error
)

// Index returns the index of the embedded indicator snapshot.
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

var mtime = time.Date(2024, 5, 20, 14, 3, 11, 0, time.UTC)

// FS turns a map of path → content into an in-memory file system.
func FS(files map[string][]byte) fstest.MapFS {
	m := fstest.MapFS{}
	for p, b := range files {
		m[p] = &fstest.MapFile{Data: b, Mode: 0o444, ModTime: mtime}
	}
	return m
}

// BackupFS lays files out as a backup ("<domain>/<relativePath>").
func BackupFS(files []iosgen.File) fstest.MapFS {
	m := fstest.MapFS{}
	for _, f := range files {
		if f.Domain != "" {
			m[f.Domain+"/"+f.RelativePath] = &fstest.MapFile{Data: f.Data, Mode: 0o444, ModTime: mtime}
		}
	}
	return m
}

// DumpFS lays files out as a filesystem dump (device paths).
func DumpFS(files []iosgen.File) fstest.MapFS {
	m := fstest.MapFS{}
	for _, f := range files {
		if f.Path != "" {
			m[f.Path] = &fstest.MapFile{Data: f.Data, Mode: 0o444, ModTime: mtime}
		}
	}
	return m
}

// Case is one generated acquisition.
type Case struct {
	Name string
	Kind acquisition.Kind
	FS   fstest.MapFS
}

// Layouts returns the backup and dump cases of files (a layout with no
// file is left out).
func Layouts(files []iosgen.File) []Case {
	var out []Case
	if b := BackupFS(files); len(b) > 0 {
		out = append(out, Case{"backup", acquisition.IOSBackup, b})
	}
	if d := DumpFS(files); len(d) > 0 {
		out = append(out, Case{"dump", acquisition.IOSFilesystem, d})
	}
	return out
}

// Run runs m over fsys as an acquisition of kind with the embedded
// indicators and returns its result and error.
func Run(t testing.TB, m module.Module, kind acquisition.Kind, fsys fstest.MapFS) (model.ModuleResult, error) {
	t.Helper()
	if !m.Applies(kind) {
		t.Fatalf("%s does not apply to %s", m.Name(), kind)
	}
	x := Index(t)
	rec := module.NewRecorder(m.Name(), x, nil)
	in := &module.Input{Acq: &acquisition.Acquisition{Path: "test", Kind: kind, FS: fsys}, Index: x, TempDir: t.TempDir()}
	err := m.Run(context.Background(), in, rec)
	return rec.Result(), err
}

type golden struct {
	Result   model.ModuleResult `json:"result"`
	Timeline []model.Event      `json:"timeline"`
}

// Golden compares res with testdata/<name>.golden.json.
func Golden(t *testing.T, name string, res model.ModuleResult) {
	t.Helper()
	got, err := json.MarshalIndent(golden{res, res.Timeline}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	p := filepath.Join("testdata", name+".golden.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		if len(got) > 4000 {
			got = got[:4000]
		}
		t.Errorf("%s differs from the golden file; diff it with -update and git diff.\ngot:\n%s", p, got)
	}
}

// GoldenLayouts runs m on every layout of files, compares each result with
// testdata/<module>.<layout>.golden.json and calls check on it.
func GoldenLayouts(t *testing.T, m module.Module, files []iosgen.File, check func(t *testing.T, c Case, res model.ModuleResult)) {
	t.Helper()
	cases := Layouts(files)
	if len(cases) == 0 {
		t.Fatal("no files")
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			res, err := Run(t, m, c.Kind, c.FS)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Errors) > 0 {
				t.Errorf("errors: %+v", res.Errors)
			}
			Golden(t, m.Name()+"."+c.Name, res)
			check(t, c, res)
		})
	}
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

// NoAlertMentions fails if any alert mentions s.
func NoAlertMentions(t testing.TB, res model.ModuleResult, s string) {
	t.Helper()
	for _, a := range res.Alerts {
		if strings.Contains(a.Message, s) {
			t.Errorf("clean look-alike %q alerted: %s", s, a.Message)
		}
	}
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

// CheckCorrupt runs m on both layouts of files with every file garbled
// (iosdata.Corrupt) and wants, for each file, an error naming it and no
// failure of the module as a whole.
func CheckCorrupt(t *testing.T, m module.Module, files []iosgen.File) {
	t.Helper()
	bad := make([]iosgen.File, len(files))
	for i, f := range files {
		bad[i] = f
		bad[i].Data = iosdata.Corrupt(f.Data)
	}
	for _, c := range Layouts(bad) {
		res, err := Run(t, m, c.Kind, c.FS)
		if err != nil {
			t.Errorf("%s: module failed: %v", c.Name, err)
			continue
		}
		for p := range c.FS {
			if !m.Applies(c.Kind) || !contains(res.Files, p) {
				continue
			}
			found := false
			for _, e := range res.Errors {
				found = found || strings.Contains(e.Error, p)
			}
			if !found {
				t.Errorf("%s: no error naming %s: %+v", c.Name, p, res.Errors)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Bench runs m over fsys b.N times with the embedded indicators, streaming
// records to a discarding sink as the scan core does, and reports the
// records per second and the process CPU time per run (which includes the
// garbage collector's background work).
func Bench(b *testing.B, m module.Module, kind acquisition.Kind, fsys fstest.MapFS) {
	b.Helper()
	x := Index(b)
	dir := b.TempDir()
	b.ReportAllocs()
	b.ResetTimer()
	seen := 0
	cpu0 := CPUTime()
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
	if c := CPUTime() - cpu0; c > 0 {
		b.ReportMetric(float64(c.Milliseconds())/float64(b.N), "cpu-ms/op") // robust on a shared machine
	}
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

// RunAcq runs m on an acquisition the test built (a real backup or dump
// opened by its opener, say) with index ix, and returns its sorted result.
func RunAcq(t testing.TB, m module.Module, acq *acquisition.Acquisition, ix *match.Index) (model.ModuleResult, error) {
	t.Helper()
	rec := module.NewRecorder(m.Name(), ix, nil)
	in := &module.Input{Acq: acq, Index: ix, TempDir: t.TempDir(), Log: slog.New(slog.DiscardHandler)}
	err := m.Run(context.Background(), in, rec)
	return rec.Result(), err
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
