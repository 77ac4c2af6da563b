package safaribrowserstate_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/safaribrowserstate"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestGolden(t *testing.T) {
	modtest.GoldenLayouts(t, safaribrowserstate.New(), iosdata.SafariBrowserState(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		checkPlanted(t, res)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen == 0 || len(res.Timeline) == 0 {
			t.Errorf("seen %d events %d", res.Seen, len(res.Timeline))
		}
	})
}

func TestCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, safaribrowserstate.New(), iosdata.SafariBrowserState())
}

func checkPlanted(t *testing.T, res model.ModuleResult) {
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
}

func FuzzParseSession(f *testing.F) {
	f.Add(iosdata.SessionData("https://a.com", "http://b.org"))
	f.Add([]byte{0, 0, 0, 2, 'b', 'p', 'l', 'i', 's', 't', '0', '0'})
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = safaribrowserstate.ParseSession(b) })
}
