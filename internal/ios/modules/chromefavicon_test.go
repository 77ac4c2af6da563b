package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/chromefavicon"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestChromeFaviconGolden(t *testing.T) {
	modtest.GoldenLayouts(t, chromefavicon.New(), iosdata.ChromeFavicon(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		chromeFaviconCheckPlanted(t, res)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen == 0 || len(res.Timeline) == 0 {
			t.Errorf("seen %d events %d", res.Seen, len(res.Timeline))
		}
	})
}

func TestChromeFaviconCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, chromefavicon.New(), iosdata.ChromeFavicon())
}

func chromeFaviconCheckPlanted(t *testing.T, res model.ModuleResult) {
	modtest.WantAlert(t, res, model.Critical, true, `"`+iosdata.PegasusDomain)
}
