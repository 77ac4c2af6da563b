package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/safarifavicon"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestSafariFaviconGolden(t *testing.T) {
	modtest.GoldenLayouts(t, safarifavicon.New(), iosdata.SafariFavicon(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		safariFaviconCheckPlanted(t, res)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen == 0 || len(res.Timeline) == 0 {
			t.Errorf("seen %d events %d", res.Seen, len(res.Timeline))
		}
	})
}

func TestSafariFaviconCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, safarifavicon.New(), iosdata.SafariFavicon())
}

func safariFaviconCheckPlanted(t *testing.T, res model.ModuleResult) {
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
	if res.Seen != 3 {
		t.Errorf("seen %d", res.Seen)
	}
}
