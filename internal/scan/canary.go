package scan

import (
	"fmt"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Canary proves the matching path works end to end before a scan may say
// "no known traces": a planted indicator must be found through a Recorder,
// and its look-alike must not.
func Canary() error {
	ix, _ := match.NewIndex([]match.Indicator{{Type: match.Domain, Value: "canary.spyscan.invalid",
		Sources: []model.Provenance{{Source: "spyscan-canary", Family: "Canary"}}}})
	rec := module.NewRecorder("canary", ix, nil)
	hit := rec.CheckURL("https://x.canary.spyscan.invalid/p", module.Where{Artifact: "canary"})
	miss := rec.CheckDomain("notcanary.spyscan.invalid", module.Where{Artifact: "canary"})
	if !hit || miss || len(rec.Result().Alerts) != 1 {
		return fmt.Errorf("canary: the matching engine failed its self-check (hit=%v, look-alike=%v)", hit, miss)
	}
	return nil
}
