// Package selftest owns what makes "no known traces" trustworthy: the
// verdict of a report (Decide), the problems that make a scan inconclusive
// (Check), and the canary (Canary) that proves the matching engine finds a
// planted indicator before a scan may say it found nothing. An inconclusive
// scan never reads as clean.
package selftest

import (
	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
)

// Problem is one reason a scan cannot be trusted to be complete. Key is an
// i18n message key; Args are its placeholder name, value pairs.
type Problem struct {
	Key  string
	Args []any
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
		ps = append(ps, Problem{Key: "problem.canary"})
	}
	for _, in := range r.Info.Inputs {
		if in.Error != "" {
			ps = append(ps, Problem{Key: "problem.input", Args: []any{"input", in.Path, "error", in.Error}})
		}
		if e := in.Meta[acquisition.MetaNestedErrors]; e != "" {
			ps = append(ps, Problem{Key: "problem.input_part", Args: []any{"input", in.Path, "error", e}})
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
			ps = append(ps, Problem{Key: "problem.module_failed", Args: []any{"module", name, "reason", m.Reason}})
		case model.StatusOK, model.StatusPartial:
			if m.Seen == 0 && len(m.Files) == 0 { // an empty table that was read is fine
				ps = append(ps, Problem{Key: "problem.module_read_nothing", Args: []any{"module", name}})
				continue
			}
			if m.Status == model.StatusPartial || len(m.Errors) > 0 {
				ps = append(ps, Problem{Key: "problem.module_partial", Args: []any{"module", name, "n", len(m.Errors)}})
			}
			read++
		}
	}
	if read == 0 {
		ps = append(ps, Problem{Key: "problem.nothing_read"})
	}
	return ps
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
