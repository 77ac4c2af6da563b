package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/firefoxhistory"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestFirefoxHistoryGolden(t *testing.T) {
	modtest.GoldenLayouts(t, firefoxhistory.New(), iosdata.FirefoxBrowserDB(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		firefoxHistoryCheckPlanted(t, res)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen == 0 || len(res.Timeline) == 0 {
			t.Errorf("seen %d events %d", res.Seen, len(res.Timeline))
		}
	})
}

func TestFirefoxHistoryCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, firefoxhistory.New(), iosdata.FirefoxBrowserDB())
}

func firefoxHistoryCheckPlanted(t *testing.T, res model.ModuleResult) {
	modtest.WantAlert(t, res, model.Critical, true, iosdata.QuaDreamDomain)
}
