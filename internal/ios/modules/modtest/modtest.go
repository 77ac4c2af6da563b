// Package modtest owns test helpers shared by the iOS module tests: a small
// indicator index with planted values, running a module on an acquisition,
// and golden-file comparison of the result (with an -update flag).
package modtest

import (
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Index returns an index with a few planted indicators of each type used
// by the iOS acquisition modules.
func Index(t testing.TB) *match.Index {
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

// Run runs m on acq and returns its sorted result.
func Run(t testing.TB, m module.Module, acq *acquisition.Acquisition, ix *match.Index) (model.ModuleResult, error) {
	t.Helper()
	rec := module.NewRecorder(m.Name(), ix, nil)
	in := &module.Input{Acq: acq, Index: ix, TempDir: t.TempDir(), Log: slog.New(slog.DiscardHandler)}
	err := m.Run(context.Background(), in, rec)
	return rec.Result(), err
}

// Golden compares the result (records, alerts, timeline, errors) with
// testdata/<name>.golden.json, rewriting it with -update.
func Golden(t *testing.T, name string, res model.ModuleResult) {
	t.Helper()
	v := struct {
		Result   model.ModuleResult `json:"result"`
		Timeline []model.Event      `json:"timeline"`
	}{res, res.Timeline}
	got, err := json.MarshalIndent(v, "", "  ")
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
		t.Fatalf("%v (run with -update to create)", err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs from the golden file (run with -update after checking):\n%s", p, got)
	}
}

// Alerted reports whether any alert's message contains s.
func Alerted(res model.ModuleResult, s string) bool {
	for _, a := range res.Alerts {
		if contains(a.Message, s) {
			return true
		}
	}
	return false
}

func contains(s, sub string) bool {
	return strings.Contains(s, sub)
}
