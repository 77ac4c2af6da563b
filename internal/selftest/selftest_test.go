package selftest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

func TestCanaryPasses(t *testing.T) {
	// The fastest of five runs, so that a loaded machine's scheduling
	// delays (one run took 229 ms at load average 30) do not fail it.
	fastest := time.Hour
	for range 5 {
		start := time.Now()
		if err := Canary(context.Background()); err != nil {
			t.Fatal(err)
		}
		fastest = min(fastest, time.Since(start))
	}
	if fastest > 200*time.Millisecond {
		t.Errorf("canary took %v at best; it must stay a start-up check of a few milliseconds", fastest)
	}
}

// TestCanaryFailsOnBrokenIndex: an index that lost its indicators, one that
// matches too much, or none at all must fail the canary.
func TestCanaryFailsOnBrokenIndex(t *testing.T) {
	src := []model.Provenance{{Source: "spyscan-canary", Family: "Canary"}}
	tooBroad, _ := match.NewIndex([]match.Indicator{
		{Type: match.Domain, Value: "spyscan.invalid", Sources: src},
		{Type: match.Process, Value: "spyscancanaryd", Sources: src}})
	wrongFamily, _ := match.NewIndex([]match.Indicator{
		{Type: match.Domain, Value: "canary.spyscan.invalid", Sources: []model.Provenance{{Source: "x", Family: "Other"}}},
		{Type: match.Process, Value: "spyscancanaryd", Sources: src}})
	empty, _ := match.NewIndex(nil)
	for name, ix := range map[string]*match.Index{"nil": nil, "empty": empty, "too broad": tooBroad, "wrong family": wrongFamily} {
		if err := run(context.Background(), ix); !errors.Is(err, ErrCanary) {
			t.Errorf("%s index: run = %v, want ErrCanary", name, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Canary(ctx); !errors.Is(err, ErrCanary) {
		t.Errorf("cancelled: %v, want ErrCanary", err)
	}
}

// TestBrokenIndexIsInconclusive follows a failed canary to the verdict.
func TestBrokenIndexIsInconclusive(t *testing.T) {
	empty, _ := match.NewIndex(nil)
	r := reportgen.Clean()
	r.Info.SelfTest.CanaryOK = run(context.Background(), empty) == nil
	v, problems := Decide(r)
	if v != model.VerdictInconclusive {
		t.Fatalf("verdict %q with a broken index, want inconclusive", v)
	}
	if len(problems) != 1 || !strings.Contains(problems[0], "self-test") {
		t.Errorf("problems = %q", problems)
	}
}

func TestDecide(t *testing.T) {
	heuristic := model.Alert{Level: model.Medium, Module: "m", Message: "odd", Reason: "r"}
	partial := model.Alert{Level: model.Medium, Module: "m", Message: "one term", Match: &model.Match{Partial: true}}
	hit := model.Alert{Level: model.Critical, Module: "m", Message: "hit", Match: &model.Match{Type: "domain"}}
	high := model.Alert{Level: model.High, Module: "m", Message: "high heuristic"}
	info := model.Alert{Level: model.Info, Module: "m", Message: "fyi"}
	tests := []struct {
		name     string
		edit     func(r *model.Report)
		want     model.Verdict
		problems int
	}{
		{"clean", func(r *model.Report) {}, model.VerdictClean, 0},
		{"info alerts stay clean", func(r *model.Report) { r.Alerts = []model.Alert{info} }, model.VerdictClean, 0},
		{"indicator hit", func(r *model.Report) { r.Alerts = []model.Alert{hit} }, model.VerdictDetected, 0},
		{"high heuristic", func(r *model.Report) { r.Alerts = []model.Alert{high} }, model.VerdictDetected, 0},
		{"heuristic only", func(r *model.Report) { r.Alerts = []model.Alert{heuristic} }, model.VerdictSuspicious, 0},
		{"partial match only", func(r *model.Report) { r.Alerts = []model.Alert{partial} }, model.VerdictSuspicious, 0},
		{"canary failed", func(r *model.Report) { r.Info.SelfTest.CanaryOK = false }, model.VerdictInconclusive, 1},
		{"canary failed with heuristic", func(r *model.Report) {
			r.Info.SelfTest.CanaryOK = false
			r.Alerts = []model.Alert{heuristic}
		}, model.VerdictInconclusive, 1},
		{"hit wins over problems", func(r *model.Report) {
			r.Info.SelfTest.CanaryOK = false
			r.Alerts = []model.Alert{hit}
		}, model.VerdictDetected, 1},
		{"module read nothing", func(r *model.Report) { r.Modules[0].Seen, r.Modules[0].Files = 0, nil }, model.VerdictInconclusive, 1},
		{"module failed", func(r *model.Report) {
			r.Modules[1].Status, r.Modules[1].Reason = model.StatusFailed, "panic: index out of range"
		}, model.VerdictInconclusive, 1},
		{"module partial", func(r *model.Report) {
			r.Modules[2].Status = model.StatusPartial
			r.Modules[2].Errors = []model.FileError{{Path: "a", Error: "a: truncated"}}
		}, model.VerdictInconclusive, 1},
		{"input failed to open", func(r *model.Report) { r.Info.Inputs[0].Error = "truncated zip" }, model.VerdictInconclusive, 1},
		{"no module at all", func(r *model.Report) { r.Modules = nil }, model.VerdictInconclusive, 1},
		{"only skipped and empty modules", func(r *model.Report) {
			r.Modules = []model.ModuleResult{{Module: "a", Status: model.StatusSkipped}, {Module: "b", Status: model.StatusEmpty}}
		}, model.VerdictInconclusive, 1},
		{"skipped modules do not count", func(r *model.Report) {
			r.Modules = append(r.Modules, model.ModuleResult{Module: "x", Status: model.StatusSkipped})
		}, model.VerdictClean, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := reportgen.Clean()
			r.Verdict = ""
			tt.edit(r)
			v, problems := Decide(r)
			if v != tt.want || len(problems) != tt.problems {
				t.Errorf("Decide = %q, %q; want %q with %d problems", v, problems, tt.want, tt.problems)
			}
		})
	}
}

// TestNeverCleanWithProblems: whatever the alerts, a report with any problem
// is never "no known traces".
func TestNeverCleanWithProblems(t *testing.T) {
	levels := []model.Level{model.Info, model.Low, model.Medium}
	for _, canary := range []bool{true, false} {
		for _, seen := range []int{0, 1} {
			for _, lv := range append(levels, -1) {
				r := reportgen.Clean()
				r.Info.SelfTest.CanaryOK = canary
				r.Modules[0].Seen = seen
				if seen == 0 {
					r.Modules[0].Files = nil // read neither a record nor a file
				}
				if lv >= 0 {
					r.Alerts = []model.Alert{{Level: lv, Module: "m", Message: "x"}}
				}
				v, problems := Decide(r)
				if len(problems) > 0 && v == model.VerdictClean {
					t.Errorf("canary=%v seen=%d level=%v: clean despite %q", canary, seen, lv, problems)
				}
				if len(problems) == 0 && (!canary || seen == 0) {
					t.Errorf("canary=%v seen=%d: no problem reported", canary, seen)
				}
			}
		}
	}
}

// TestEmptyArtifactReadIsNotAProblem: a module that opened its file and
// found no rows (an empty SMS database, say) did read its artifact.
func TestEmptyArtifactReadIsNotAProblem(t *testing.T) {
	r := reportgen.Clean()
	r.Modules[0].Seen = 0
	r.Modules[0].Files = []string{"HomeDomain/Library/SMS/sms.db"}
	if v, problems := Decide(r); v != model.VerdictClean || len(problems) != 0 {
		t.Errorf("Decide = %q, %q; want clean", v, problems)
	}
}

func BenchmarkCanary(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		if err := Canary(ctx); err != nil {
			b.Fatal(err)
		}
	}
}

// TestCheckTyped: every problem carries its kind and where it happened,
// from typed data (no error string is parsed back).
func TestCheckTyped(t *testing.T) {
	r := reportgen.Clean()
	r.Info.SelfTest.CanaryOK = true
	r.Info.IndicatorCount = 1
	r.Info.Inputs = []model.Input{
		{Path: "a.zip", Error: "a.zip: archive entry escapes the root or is too large: entry \"../x\"", ErrorKind: model.KindRefused},
		{Path: "qf", Problems: []model.Problem{{Kind: model.KindDamaged, Path: "bugreport.zip", Cause: "bugreport.zip: corrupt or truncated input"}}},
	}
	r.Modules = []model.ModuleResult{
		{Module: "boom", Input: "qf", Status: model.StatusFailed, Reason: "internal error in module boom: x", FailKind: model.KindInternal},
		{Module: "sms", Input: "qf", Status: model.StatusPartial, Seen: 3, Files: []string{"sms.db"},
			Errors: []model.FileError{{Path: "sms.db", Error: "sms.db: refused in an evidence database: view message", Kind: model.KindRefused}}},
	}
	got := Check(r)
	want := []Problem{
		{Kind: model.KindRefused, Input: "a.zip", Path: "a.zip"},
		{Kind: model.KindDamaged, Input: "qf", Path: "bugreport.zip"},
		{Kind: model.KindInternal, Input: "qf", Module: "boom"},
		{Kind: model.KindRefused, Input: "qf", Module: "sms", Path: "sms.db"},
	}
	if len(got) != len(want) {
		t.Fatalf("%d problems, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.Kind || g.Input != w.Input || g.Module != w.Module || g.Path != w.Path || g.Cause == "" || g.Key == "" {
			t.Errorf("problem %d = %+v, want %+v with a cause and a message key", i, g, w)
		}
	}
	r.Info.IndicatorCount = 0
	if ps := Check(r); ps[0].Kind != model.KindIndicators || ps[0].Key != "problem.no_indicators" {
		t.Errorf("no indicator: first problem %+v", ps[0])
	}
}
