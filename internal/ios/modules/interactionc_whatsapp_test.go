package modules_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/interactionc"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/mvtparity"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// whatsAppInteractions is an interactionC.db with two WhatsApp
// interactions and an SMS one, whose parties are WhatsApp's generated
// contacts (iosdata.WhatsApp's ContactsV2.sqlite: Ana +41790000001,
// 41790000001@s.whatsapp.net; Bob +41790000002, LID 200000000000002@lid)
// or unknown to it.
func whatsAppInteractions() []byte {
	return iosdata.BuildDB([]string{
		`CREATE TABLE ZINTERACTIONS ( Z_PK INTEGER PRIMARY KEY, ZSENDER INTEGER, ZSTARTDATE REAL, ZENDDATE REAL, ZBUNDLEID TEXT, ZTARGETBUNDLEID TEXT, ZACCOUNT TEXT, ZDIRECTION INTEGER, ZDOMAINIDENTIFIER TEXT, ZCONTENTURL TEXT, ZGROUPNAME TEXT )`,
		`CREATE TABLE ZCONTACTS ( Z_PK INTEGER PRIMARY KEY, ZDISPLAYNAME TEXT, ZIDENTIFIER TEXT, ZPERSONID TEXT, ZCREATIONDATE REAL, ZCUSTOMIDENTIFIER TEXT )`,
		`CREATE TABLE ZATTACHMENT ( Z_PK INTEGER PRIMARY KEY, ZCONTENTURL TEXT )`,
		`CREATE TABLE Z_1INTERACTIONS ( Z_1ATTACHMENTS INTEGER, Z_3INTERACTIONS INTEGER )`,
		`CREATE TABLE Z_2INTERACTIONRECIPIENT ( Z_2RECIPIENTS INTEGER, Z_3INTERACTIONRECIPIENT INTEGER )`,
	}, []iosgen.Stmt{
		iosgen.Ins("ZCONTACTS", "Z_PK, ZIDENTIFIER", 1, "200000000000002@lid"),
		iosgen.Ins("ZCONTACTS", "Z_PK, ZIDENTIFIER", 2, "+41790000001"),
		iosgen.Ins("ZCONTACTS", "Z_PK, ZIDENTIFIER, ZCUSTOMIDENTIFIER", 3, "999999999999999@lid", "41790000009@s.whatsapp.net"),
		iosgen.Ins("ZINTERACTIONS", "Z_PK, ZSENDER, ZSTARTDATE, ZBUNDLEID, ZDIRECTION, ZDOMAINIDENTIFIER", 1, 1, iosdata.AppleSec(iosdata.At(time.Hour)), "net.whatsapp.WhatsApp", 0, "41790000001@s.whatsapp.net"),
		iosgen.Ins("ZINTERACTIONS", "Z_PK, ZSENDER, ZSTARTDATE, ZBUNDLEID, ZDIRECTION, ZDOMAINIDENTIFIER", 2, 3, iosdata.AppleSec(iosdata.At(2*time.Hour)), "net.whatsapp.WhatsApp", 0, "120363000000000001@g.us"),
		iosgen.Ins("ZINTERACTIONS", "Z_PK, ZSENDER, ZSTARTDATE, ZBUNDLEID, ZDIRECTION", 3, 1, iosdata.AppleSec(iosdata.At(3*time.Hour)), "com.apple.MobileSMS", 1),
		iosgen.Ins("Z_2INTERACTIONRECIPIENT", "Z_2RECIPIENTS, Z_3INTERACTIONRECIPIENT", 2, 1),
		iosgen.Ins("Z_2INTERACTIONRECIPIENT", "Z_2RECIPIENTS, Z_3INTERACTIONRECIPIENT", 2, 3),
	})
}

// mvtInteractionCWhatsAppKeys are the keys MVT adds to a WhatsApp
// interaction (dac4acb's InteractionC._postprocess_results).
var mvtInteractionCWhatsAppKeys = []string{"sender_resolved_phone_number", "sender_resolved_name", "recipient_resolved_phone_number",
	"recipient_resolved_name", "domain_resolved_phone_number", "domain_resolved_name"}

// TestInteractionCWhatsAppNames: the parties of WhatsApp interactions are
// resolved through WhatsApp's contacts as MVT resolves them (a LID to its
// contact's phone number and name, a JID to its contact or "+digits", a
// "+" number to its contact's name only, the sender's custom id when its
// identifier gives nothing, a group to nothing), under MVT's names
// (internal/mvtparity); another app's interaction has none of these keys,
// even with the same contact. Without WhatsApp's contacts only JIDs give
// a phone number.
func TestInteractionCWhatsAppNames(t *testing.T) {
	contacts := modtest.BackupFS(iosdata.WhatsApp())
	const contactsPath = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared/ContactsV2.sqlite"
	type want struct{ sender, recipient, domain []any } // phone, name; nil: no keys
	for _, c := range []struct {
		name         string
		withContacts bool
		want         map[float64]want
	}{
		{"with contacts", true, map[float64]want{
			1: {[]any{"+41790000002", "Bob"}, []any{nil, "Ana Muster"}, []any{"+41790000001", "Ana Muster"}},
			2: {[]any{"+41790000009", nil}, nil, []any{nil, nil}},
			3: {nil, nil, nil},
		}},
		{"without contacts", false, map[float64]want{
			1: {[]any{nil, nil}, []any{nil, nil}, []any{"+41790000001", nil}},
			2: {[]any{"+41790000009", nil}, nil, []any{nil, nil}},
			3: {nil, nil, nil},
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			fsys := fstest.MapFS{"HomeDomain/Library/CoreDuet/People/interactionC.db": {Data: whatsAppInteractions()}}
			if c.withContacts {
				fsys[contactsPath] = contacts[contactsPath]
			}
			res, err := modtest.Run(t, interactionc.New(), acquisition.IOSBackup, fsys)
			if err != nil || len(res.Errors) > 0 || len(res.Notes) > 0 {
				t.Fatal(err, res.Errors, res.Notes)
			}
			if c.withContacts {
				modtest.WantMVTKeys(t, res, nil, mvtInteractionCWhatsAppKeys, mvtparity.Renamed["interactionc"])
			}
			if read := strings.Join(res.Files, " "); strings.Contains(read, "ContactsV2") != c.withContacts {
				t.Errorf("files read: %s", read)
			}
			for id, w := range c.want {
				r := recordWhere(t, res, "id", id)
				party := func(o any, prefix string) []any {
					m, _ := o.(map[string]any)
					p, okP := m[prefix+"resolved_phone_number"]
					n, okN := m[prefix+"resolved_name"]
					if !okP || !okN {
						return nil
					}
					return []any{p, n}
				}
				var recip []any
				if l, _ := r["recipient_contacts"].([]any); len(l) > 0 {
					recip = party(l[0], "")
				}
				got := want{party(r["sender"], ""), recip, party(r, "domain_")}
				if !reflect.DeepEqual(got, w) {
					b, _ := json.Marshal(r)
					t.Errorf("interaction %v: got %v, want %v (%s)", id, got, w, b)
				}
			}
		})
	}
}
