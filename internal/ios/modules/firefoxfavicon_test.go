package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/firefoxfavicon"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestFirefoxFaviconGolden(t *testing.T) {
	modtest.GoldenLayouts(t, firefoxfavicon.New(), iosdata.FirefoxBrowserDB(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		firefoxFaviconCheckPlanted(t, res)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen == 0 || len(res.Timeline) == 0 {
			t.Errorf("seen %d events %d", res.Seen, len(res.Timeline))
		}
	})
}

func TestFirefoxFaviconCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, firefoxfavicon.New(), iosdata.FirefoxBrowserDB())
}

func firefoxFaviconCheckPlanted(t *testing.T, res model.ModuleResult) {
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
}
