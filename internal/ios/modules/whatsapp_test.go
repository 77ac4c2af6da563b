package modules_test

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"

	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/ios/modules/whatsapp"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestWhatsAppMessages(t *testing.T) {
	modtest.GoldenLayouts(t, whatsapp.NewMessages(), iosdata.WhatsApp(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.QuaDreamDomain) // from the link preview
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		// 3 messages, 3 chats, 1 LID pair
		if res.Seen != 7 || len(res.Alerts) != 2 || len(res.Notes) != 0 {
			t.Errorf("seen %d alerts %d notes %q", res.Seen, len(res.Alerts), res.Notes)
		}
		wantChats(t, res, iosdata.WhatsAppLIDPhone)
	})
}

// wantChats checks the chat and LID-pair records and their timeline
// events: Ana's chat (3 stored messages, first at 1 h, last at 3 h), the
// chat known by LID (messages gone, last at 6 h, its phone number resolved
// through the pair), the group (created at -24 h), the pair (at 5 h).
func wantChats(t *testing.T, res model.ModuleResult, phone string) {
	t.Helper()
	kinds := map[string][]map[string]any{}
	for _, r := range res.Records {
		var m map[string]any
		if err := json.Unmarshal(r, &m); err != nil {
			t.Fatal(err)
		}
		k, _ := m["kind"].(string)
		kinds[k] = append(kinds[k], m)
	}
	if len(kinds[whatsapp.KindMessage]) != 3 || len(kinds[whatsapp.KindChat]) != 3 || len(kinds[whatsapp.KindLIDPair]) != 1 {
		t.Fatalf("records by kind: %v", kinds)
	}
	ana, lid, group := kinds[whatsapp.KindChat][0], kinds[whatsapp.KindChat][1], kinds[whatsapp.KindChat][2]
	if ana["stored_messages"] != 3.0 || ana["first_stored_message"] != iosmod.ISO(iosdata.At(time.Hour)) || ana["last_message"] != iosmod.ISO(iosdata.At(3*time.Hour)) {
		t.Errorf("Ana's chat %v", ana)
	}
	digits, _, _ := strings.Cut(phone, "@")
	if lid["contact_jid"] != iosdata.WhatsAppLID || lid["resolved_phone_number"] != digits || lid["stored_messages"] != 0.0 || lid["first_stored_message"] != nil {
		t.Errorf("chat known by LID %v", lid)
	}
	if group["group"] != true || group["group_created"] != iosmod.ISO(iosdata.At(-24*time.Hour)) {
		t.Errorf("group %v", group)
	}
	if p := kinds[whatsapp.KindLIDPair][0]; p["lid"] != iosdata.WhatsAppLID || p["phone_number"] != phone {
		t.Errorf("pair %v", p)
	}
	events := map[string][]time.Time{}
	for _, e := range res.Timeline {
		events[e.Event] = append(events[e.Event], e.Time)
	}
	for ev, want := range map[string][]time.Time{
		"whatsapp_chat_first_message": {iosdata.At(time.Hour)},
		"whatsapp_chat_last_message":  {iosdata.At(3 * time.Hour), iosdata.At(6 * time.Hour)},
		"whatsapp_group_created":      {iosdata.At(-24 * time.Hour)},
		"whatsapp_lid_pair":           {iosdata.At(5 * time.Hour)},
	} {
		got := events[ev]
		if len(got) != len(want) {
			t.Errorf("%s events at %v, want %v", ev, got, want)
			continue
		}
		for i := range want {
			if got[i].Sub(want[i]).Abs() > time.Millisecond {
				t.Errorf("%s events at %v, want %v", ev, got, want)
			}
		}
	}
}

// Recent WhatsApp keeps the LID pairs in LID.sqlite: they are read from
// there (and its pair wins over ChatStorage's), in a backup and a dump.
func TestWhatsAppLIDDatabase(t *testing.T) {
	const phone = "41790000009@s.whatsapp.net"
	lid := iosdata.BuildDB([]string{`CREATE TABLE ZWAPHONENUMBERLIDPAIR ( Z_PK INTEGER PRIMARY KEY, ZLID TEXT, ZPHONENUMBER TEXT, ZTIMESTAMP REAL )`},
		[]iosgen.Stmt{iosgen.Ins("ZWAPHONENUMBERLIDPAIR", "Z_PK, ZLID, ZPHONENUMBER, ZTIMESTAMP", 1, iosdata.WhatsAppLID, phone, iosdata.AppleSec(iosdata.At(5*time.Hour)))})
	chat := iosdata.WhatsApp()[0].Data
	for _, c := range []struct {
		kind       acquisition.Kind
		chat, lids string
	}{
		{acquisition.IOSBackup, "AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ChatStorage.sqlite", "AppDomainGroup-group.net.whatsapp.WhatsApp.shared/LID.sqlite"},
		{acquisition.IOSFilesystem, "private/var/mobile/Containers/Shared/AppGroup/A/ChatStorage.sqlite", "private/var/mobile/Containers/Shared/AppGroup/B/LID.sqlite"},
	} {
		t.Run(string(c.kind), func(t *testing.T) {
			res, err := modtest.Run(t, whatsapp.NewMessages(), c.kind, fstest.MapFS{c.chat: {Data: chat}, c.lids: {Data: lid}})
			if err != nil || len(res.Errors) > 0 || len(res.Notes) > 0 {
				t.Fatal(err, res.Errors, res.Notes)
			}
			if len(res.Files) != 2 {
				t.Errorf("files %v", res.Files)
			}
			wantChats(t, res, phone)
		})
	}
}

func TestWhatsAppContacts(t *testing.T) {
	modtest.GoldenLayouts(t, whatsapp.NewContacts(), iosdata.WhatsApp(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		if res.Seen != 2 || len(res.Timeline) != 6 || len(res.Notes) != 0 {
			t.Errorf("seen %d events %d notes %q", res.Seen, len(res.Timeline), res.Notes)
		}
		// as MVT: every timer change (on for Ana, off for Bob), the about
		// text's change and expiry, each contact's last update
		events := map[string][]time.Time{}
		for _, e := range res.Timeline {
			events[e.Event] = append(events[e.Event], e.Time)
		}
		for ev, want := range map[string][]time.Time{
			"whatsapp_disappearing_on":  {iosdata.At(30 * time.Minute)},
			"whatsapp_disappearing_off": {iosdata.At(270 * time.Minute)},
			"whatsapp_about_changed":    {iosdata.At(20 * time.Minute)},
			"whatsapp_about_expires":    {iosdata.At(48 * time.Hour)},
			"whatsapp_contact_updated":  {iosdata.At(4 * time.Hour), iosdata.At(5 * time.Hour)},
		} {
			got := events[ev]
			if len(got) != len(want) {
				t.Errorf("%s at %v, want %v", ev, got, want)
				continue
			}
			for i := range want {
				if got[i].Sub(want[i]).Abs() > time.Millisecond {
					t.Errorf("%s at %v, want %v", ev, got, want)
				}
			}
		}
	})
}

func TestWhatsAppCorrupt(t *testing.T) {
	modtest.CheckCorrupt(t, whatsapp.NewMessages(), iosdata.WhatsApp())
	modtest.CheckCorrupt(t, whatsapp.NewContacts(), iosdata.WhatsApp())
}

// An older ChatStorage without link previews, media items or ZTOJID.
func TestWhatsAppSchemaDrift(t *testing.T) {
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
