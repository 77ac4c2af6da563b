// Package selftest owns what makes "no known traces" trustworthy: the
// verdict of a report (Decide), the problems that make a scan inconclusive
// (Check), and the canary (Canary) that proves the matching engine finds a
// planted indicator before a scan may say it found nothing. An inconclusive
// scan never reads as clean.
package selftest

import (
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
)

// Problem is one reason a scan cannot be trusted to be complete, typed
// for the report: Kind says what went wrong, Input, Module and Path where,
// Cause the underlying one-line error (English, naming the file). Key is
// the i18n message that says it in a sentence; Args are its placeholder
// name, value pairs.
type Problem struct {
	Kind   model.ProblemKind
	Input  string // the scanned input concerned ("" for the whole scan)
	Module string // the module concerned, if any
	Path   string // the file concerned, if known
	Cause  string
	Key    string
	Args   []any
}

// Text is the problem in the language of catalog c.
func (p Problem) Text(c *i18n.Catalog) string { return c.T(p.Key, p.Args...) }

// Check lists the problems of a report, in a fixed order: the canary, the
// inputs that could not be opened, then the modules that failed, read only
// part of their files, or ran and read nothing, and finally a scan in which
// no module read anything.
func Check(r *model.Report) []Problem {
	var ps []Problem
	if !r.Info.SelfTest.CanaryOK {
		ps = append(ps, Problem{Kind: model.KindInternal, Key: "problem.canary"})
	}
	for _, p := range r.Info.IndicatorProblems {
		ps = append(ps, Problem{Kind: p.Kind, Path: p.Path, Cause: p.Cause, Key: "problem.indicators", Args: []any{"error", p.Cause}})
	}
	if r.Info.IndicatorCount == 0 {
		ps = append(ps, Problem{Kind: model.KindIndicators, Cause: "no usable indicator", Key: "problem.no_indicators"})
	}
	for _, in := range r.Info.Inputs {
		if in.Error != "" {
			kind := in.ErrorKind
			if kind == "" {
				kind = model.KindDamaged
			}
			ps = append(ps, Problem{Kind: kind, Input: in.Path, Path: in.Path, Cause: in.Error,
				Key: "problem.input", Args: []any{"input", in.Path, "error", in.Error}})
		}
		for _, p := range in.Problems {
			ps = append(ps, Problem{Kind: p.Kind, Input: in.Path, Path: p.Path, Cause: p.Cause,
				Key: "problem.input_part", Args: []any{"input", in.Path, "error", p.Cause}})
		}
		if e := in.Meta[legacyNestedErrors]; e != "" && len(in.Problems) == 0 {
			ps = append(ps, Problem{Kind: model.KindDamaged, Input: in.Path, Cause: e,
				Key: "problem.input_part", Args: []any{"input", in.Path, "error", e}})
		}
	}
	read := 0
	for _, m := range r.Modules {
		name := m.Module
		if m.Input != "" {
			name += " (" + m.Input + ")"
		}
		switch m.Status {
		case model.StatusFailed:
			ps = append(ps, Problem{Kind: failedKind(m), Input: m.Input, Module: m.Module, Cause: m.Reason,
				Key: "problem.module_failed", Args: []any{"module", name, "reason", m.Reason}})
		case model.StatusOK, model.StatusPartial:
			if m.Seen == 0 && len(m.Files) == 0 { // an empty table that was read is fine
				ps = append(ps, Problem{Kind: model.KindUnsupported, Input: m.Input, Module: m.Module,
					Cause: "ran but read no record", Key: "problem.module_read_nothing", Args: []any{"module", name}})
				continue
			}
			if m.Status == model.StatusPartial || len(m.Errors) > 0 {
				p := Problem{Kind: model.KindDamaged, Input: m.Input, Module: m.Module,
					Key: "problem.module_partial", Args: []any{"module", name, "n", len(m.Errors)}}
				if len(m.Errors) > 0 {
					e := m.Errors[0]
					p.Path, p.Cause = e.Path, e.Error
					if e.Kind != "" {
						p.Kind = e.Kind
					}
				}
				ps = append(ps, p)
			}
			read++
		}
	}
	if read == 0 {
		ps = append(ps, Problem{Kind: model.KindUnsupported, Cause: "no module read anything", Key: "problem.nothing_read"})
	}
	return ps
}

// legacyNestedErrors is the Input.Meta key under which result folders
// written before typed problems listed, "; "-joined, the parts of an input
// not opened; it is still honoured when re-reading such a folder.
const legacyNestedErrors = "nested_errors"

// failedKind is the recorded kind of a module's failure (damaged when a
// result folder predates it).
func failedKind(m model.ModuleResult) model.ProblemKind {
	if m.FailKind != "" {
		return m.FailKind
	}
	return model.KindDamaged
}

// Decide gives the verdict of a report and, in English, the problems that
// make it inconclusive (for info.json). Indicator hits, or alerts at HIGH or
// above, make it "detected" whatever else failed; otherwise any problem
// makes it "inconclusive"; otherwise heuristic alerts make it "suspicious";
// only a scan with no alert and no problem is "no known traces".
func Decide(r *model.Report) (model.Verdict, []string) {
	ps := Check(r)
	en := i18n.Get("en")
	var problems []string
	for _, p := range ps {
		problems = append(problems, p.Text(en))
	}
	hit, heuristic := false, false
	for _, a := range r.Alerts {
		switch {
		case a.Match != nil && !a.Match.Partial, a.Level >= model.High:
			hit = true
		case a.Level >= model.Low:
			heuristic = true
		}
	}
	switch {
	case hit:
		return model.VerdictDetected, problems
	case len(ps) > 0:
		return model.VerdictInconclusive, problems
	case heuristic:
		return model.VerdictSuspicious, problems
	}
	return model.VerdictClean, problems
}
