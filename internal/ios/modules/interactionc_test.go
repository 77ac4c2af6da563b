package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/interactionc"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestInteractionCGolden(t *testing.T) {
	modtest.GoldenLayouts(t, interactionc.New(), iosdata.InteractionC(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.TriangulationMail)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.StalkerwareAppID)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		modtest.NoAlertMentions(t, res, `"`+iosdata.LookalikeMail)
		if res.Seen != 2 || len(res.Alerts) != 3 {
			t.Errorf("seen %d alerts %d", res.Seen, len(res.Alerts))
		}
	})
}

func TestInteractionCCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, interactionc.New(), iosdata.InteractionC())
}
