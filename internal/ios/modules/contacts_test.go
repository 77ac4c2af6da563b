package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/contacts"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestContactsGolden(t *testing.T) {
	modtest.GoldenLayouts(t, contacts.New(), iosdata.Contacts(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.TriangulationMail)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.QuaDreamDomain)
		modtest.NoAlertMentions(t, res, `"`+iosdata.LookalikeMail)
		if res.Seen != 4 || len(res.Alerts) != 2 {
			t.Errorf("seen %d alerts %d", res.Seen, len(res.Alerts))
		}
	})
}

func TestContactsCorrupt(t *testing.T) { modtest.CheckCorrupt(t, contacts.New(), iosdata.Contacts()) }
