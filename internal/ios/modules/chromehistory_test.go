package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/chromehistory"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestChromeHistoryGolden(t *testing.T) {
	modtest.GoldenLayouts(t, chromehistory.New(), iosdata.ChromeHistory(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		chromeHistoryCheckPlanted(t, res)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen == 0 || len(res.Timeline) == 0 {
			t.Errorf("seen %d events %d", res.Seen, len(res.Timeline))
		}
	})
}

func TestChromeHistoryCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, chromehistory.New(), iosdata.ChromeHistory())
}

func chromeHistoryCheckPlanted(t *testing.T, res model.ModuleResult) {
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
}
