package whatsapp_test

import (
	"testing/fstest"

	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"

	"github.com/spyscan/spyscan/internal/ios/modules/whatsapp"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestMessages(t *testing.T) {
	modtest.GoldenLayouts(t, whatsapp.NewMessages(), iosdata.WhatsApp(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.QuaDreamDomain) // from the link preview
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		if res.Seen != 3 || len(res.Alerts) != 2 {
			t.Errorf("seen %d alerts %d", res.Seen, len(res.Alerts))
		}
	})
}

func TestContacts(t *testing.T) {
	modtest.GoldenLayouts(t, whatsapp.NewContacts(), iosdata.WhatsApp(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		if res.Seen != 2 || len(res.Timeline) != 3 {
			t.Errorf("seen %d events %d", res.Seen, len(res.Timeline))
		}
	})
}

func TestCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, whatsapp.NewMessages(), iosdata.WhatsApp())
	modtest.CheckCorrupt(t, whatsapp.NewContacts(), iosdata.WhatsApp())
}

// An older ChatStorage without link previews, media items or ZTOJID.
func TestSchemaDrift(t *testing.T) {
	db := iosdata.BuildDB([]string{`CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZFROMJID TEXT, ZTEXT TEXT, ZMESSAGEDATE REAL, ZISFROMME INTEGER)`},
		[]iosgen.Stmt{iosgen.Ins("ZWAMESSAGE", "Z_PK, ZFROMJID, ZTEXT, ZMESSAGEDATE, ZISFROMME", 1, "4179@s.whatsapp.net", "hi "+iosdata.PegasusURL, 7e8, 0)})
	res, err := modtest.Run(t, whatsapp.NewMessages(), acquisition.IOSBackup, fstest.MapFS{"AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite": {Data: db}})
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
	if len(res.Notes) != 4 { // 3 missing tables + missing columns
		t.Errorf("notes %q", res.Notes)
	}
}
