// Package modtest owns the test harness of the Android artifact modules:
// it runs a module over generated files in memory with the embedded
// indicators and compares the result with a golden JSON file under
// testdata (rewritten with -update).
package modtest

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
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

// FS turns generated files into an fs.FS.
func FS(files map[string][]byte) fstest.MapFS {
	m := fstest.MapFS{}
	mt := time.Date(2024, 5, 20, 14, 3, 11, 0, time.UTC)
	for p, b := range files {
		m[p] = &fstest.MapFile{Data: b, Mode: 0o444, ModTime: mt}
	}
	return m
}

// Run runs m over files as an acquisition of kind with the embedded
// indicators and returns its result and error.
func Run(t testing.TB, m module.Module, kind acquisition.Kind, files map[string][]byte) (model.ModuleResult, error) {
	t.Helper()
	return RunFS(t, m, kind, FS(files), Index(t))
}

// RunFS runs m over fsys with index x.
func RunFS(t testing.TB, m module.Module, kind acquisition.Kind, fsys fstest.MapFS, x *match.Index) (model.ModuleResult, error) {
	t.Helper()
	if !m.Applies(kind) {
		t.Fatalf("%s does not apply to %s", m.Name(), kind)
	}
	rec := module.NewRecorder(m.Name(), x, nil)
	in := &module.Input{Acq: &acquisition.Acquisition{Path: "test", Kind: kind, FS: fsys}, Index: x, TempDir: t.TempDir()}
	err := m.Run(context.Background(), in, rec)
	return rec.Result(), err
}

// golden is what a golden file holds: the result and the timeline.
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
		t.Errorf("%s differs from the golden file; diff it with -update and git diff.\ngot:\n%s", p, clip(got))
	}
}

func clip(b []byte) []byte {
	if len(b) > 4000 {
		return append(b[:4000:4000], "..."...)
	}
	return b
}

// HasAlert reports whether res has an alert of at least level whose
// message contains sub (and, when indicator is true, an indicator match).
func HasAlert(res model.ModuleResult, level model.Level, indicator bool, sub string) bool {
	for _, a := range res.Alerts {
		if a.Level >= level && (a.Match != nil) == indicator && bytes.Contains([]byte(a.Message), []byte(sub)) {
			return true
		}
	}
	return false
}

// NoAlertMentions fails if any alert mentions s.
func NoAlertMentions(t testing.TB, res model.ModuleResult, s string) {
	t.Helper()
	for _, a := range res.Alerts {
		if bytes.Contains([]byte(a.Message), []byte(s)) {
			t.Errorf("clean look-alike %q alerted: %s", s, a.Message)
		}
	}
}
