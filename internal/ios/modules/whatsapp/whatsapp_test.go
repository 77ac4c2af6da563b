package whatsapp_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modtest"
	"github.com/spyscan/spyscan/internal/ios/modules/whatsapp"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestMessages(t *testing.T) {
	modtest.GoldenLayouts(t, whatsapp.Messages{}, iosdata.WhatsApp(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.QuaDreamDomain) // from the link preview
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen != 3 || len(res.Alerts) != 2 {
			t.Errorf("seen %d alerts %d", res.Seen, len(res.Alerts))
		}
	})
}

func TestContacts(t *testing.T) {
	modtest.GoldenLayouts(t, whatsapp.Contacts{}, iosdata.WhatsApp(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		if res.Seen != 2 || len(res.Timeline) != 3 {
			t.Errorf("seen %d events %d", res.Seen, len(res.Timeline))
		}
	})
}

func TestCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, whatsapp.Messages{}, iosdata.WhatsApp())
	modtest.CheckCorrupt(t, whatsapp.Contacts{}, iosdata.WhatsApp())
}
