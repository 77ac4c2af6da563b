package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/safaribrowserstate"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestSafariBrowserStateGolden(t *testing.T) {
	modtest.GoldenLayouts(t, safaribrowserstate.New(), iosdata.SafariBrowserState(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		safariBrowserStateCheckPlanted(t, res)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen == 0 || len(res.Timeline) == 0 {
			t.Errorf("seen %d events %d", res.Seen, len(res.Timeline))
		}
	})
}

func TestSafariBrowserStateCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, safaribrowserstate.New(), iosdata.SafariBrowserState())
}

func safariBrowserStateCheckPlanted(t *testing.T, res model.ModuleResult) {
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
}

func FuzzSafariBrowserStateParseSession(f *testing.F) {
	f.Add(iosdata.SessionData("https://a.com", "http://b.org"))
	f.Add([]byte{0, 0, 0, 2, 'b', 'p', 'l', 'i', 's', 't', '0', '0'})
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = safaribrowserstate.ParseSession(b) })
}
