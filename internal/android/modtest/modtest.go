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
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
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

// Case is one generated acquisition.
type Case struct {
	Name  string
	Kind  acquisition.Kind
	Files map[string][]byte
}

// Cases returns the generated bugreport and androidqf acquisitions.
func Cases() []Case {
	return []Case{
		{"bugreport", acquisition.AndroidBugreport, androiddata.Bugreport(androiddata.Options{})},
		{"androidqf", acquisition.AndroidQF, androiddata.AndroidQF(androiddata.Options{})},
	}
}

// GoldenCases runs m on each case that check accepts and compares goldens.
func GoldenCases(t *testing.T, m module.Module, cases []Case, check func(t *testing.T, c Case, res model.ModuleResult)) {
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			res, err := Run(t, m, c.Kind, c.Files)
			if err != nil {
				t.Fatal(err)
			}
			if check != nil {
				check(t, c, res)
			}
			Golden(t, c.Name, res)
		})
	}
}

// CutSection runs m on a bugreport whose dump ends inside the section that
// starts with header and has body, and checks that the module reports the
// cut as an error naming the dump and goes on (no failure). It returns the
// result for further checks.
func CutSection(t *testing.T, m module.Module, header, body string) model.ModuleResult {
	t.Helper()
	files := map[string][]byte{"main_entry.txt": []byte("dumpstate-cut.txt\n"),
		"dumpstate-cut.txt": []byte("== dumpstate: 2024-05-20 14:03:11\n" + header + "\n" + body)}
	res, err := Run(t, m, acquisition.AndroidBugreport, files)
	if err != nil {
		t.Fatalf("module failed on a cut section: %v", err)
	}
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Error, "dumpstate-cut.txt") {
		t.Fatalf("cut section not reported: %+v", res.Errors)
	}
	return res
}
