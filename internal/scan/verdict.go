package scan

import (
	"fmt"

	"github.com/spyscan/spyscan/internal/model"
)

// Decide gives the verdict of a report and the self-test problems that make
// it inconclusive. A scan whose canary failed, whose input could not be read,
// or whose modules read nothing can never be reported as clean.
func Decide(r *model.Report) (model.Verdict, []string) {
	var problems []string
	if !r.Info.SelfTest.CanaryOK {
		problems = append(problems, "the built-in canary check of the indicator matching did not pass")
	}
	for _, in := range r.Info.Inputs {
		if in.Error != "" {
			problems = append(problems, fmt.Sprintf("input %s could not be read: %s", in.Path, in.Error))
		}
	}
	ran := 0
	for _, m := range r.Modules {
		switch {
		case m.Status == model.StatusFailed:
			problems = append(problems, fmt.Sprintf("module %s failed: %s", m.Module, m.Reason))
		case (m.Status == model.StatusOK || m.Status == model.StatusPartial) && m.Seen == 0 && len(m.Files) == 0:
			problems = append(problems, fmt.Sprintf("module %s ran but read no file and no record", m.Module))
		case m.Status == model.StatusOK || m.Status == model.StatusPartial:
			ran++
		}
	}
	if ran == 0 {
		problems = append(problems, "no module read any record")
	}
	hits, heur := false, false
	for _, a := range r.Alerts {
		if a.Match != nil && !a.Match.Partial {
			hits = true
		} else if a.Level >= model.Low {
			heur = true
		}
	}
	switch {
	case hits:
		return model.VerdictDetected, problems
	case len(problems) > 0:
		return model.VerdictInconclusive, problems
	case heur:
		return model.VerdictSuspicious, problems
	}
	return model.VerdictClean, problems
}
