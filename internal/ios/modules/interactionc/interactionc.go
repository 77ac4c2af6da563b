// Package interactionc owns CoreDuet's interactionC.db: who the user
// interacted with, through which app, and when, plus the contacts and
// attachments of those interactions. Contact identifiers (emails), app
// bundle ids and content URLs are checked against the indicators. The
// parties of WhatsApp's interactions (LIDs, JIDs, phone numbers) are
// resolved to a phone number and a name through WhatsApp's own contacts
// (ContactsV2.sqlite), as MVT does.
package interactionc

import (
	"context"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/ios/modules/whatsapp"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates interactionC.db.
var Spec = artifact.Spec{
	Backup: []string{"HomeDomain/Library/CoreDuet/People/interactionC.db"},
	Dump:   []string{"private/var/mobile/Library/CoreDuet/People/interactionC.db"},
}

// Module reads interactions.
type Module struct{ module.Base }

// New returns the module.
// interactionKey is the catalog key of an interaction's timeline text.
func interactionKey(direction string) string {
	switch direction {
	case "incoming", "outgoing":
		return "ios.interactionc.event_" + direction
	}
	return "ios.interactionc.event_interaction"
}

func New() Module { return Module{module.NewBase("interactionc", 3, Spec)} }

// Contact is one ZCONTACTS row.
type Contact struct {
	ID          int64  `json:"id"`
	DisplayName string `json:"display_name,omitempty"`
	Identifier  string `json:"identifier"`
	PersonID    string `json:"person_id,omitempty"`
	Created     string `json:"creation_date,omitempty"`
	// MVT's other ZCONTACTS columns, under MVT's names (nil: NULL).
	CustomID                   any `json:"custom_id"`
	IncomingRecipientCount     any `json:"incoming_recipient_count"`
	IncomingSenderCount        any `json:"incoming_sender_count"`
	OutgoingRecipientCount     any `json:"outgoing_recipient_count"`
	FirstIncomingRecipientDate any `json:"first_incoming_recipient_date"`
	FirstIncomingSenderDate    any `json:"first_incoming_sender_date"`
	FirstOutgoingRecipientDate any `json:"first_outgoing_recipient_date"`
	LastIncomingSenderDate     any `json:"last_incoming_sender_date"`
	LastIncomingRecipientDate  any `json:"last_incoming_recipient_date"`
	LastOutgoingRecipientDate  any `json:"last_outgoing_recipient_date"`
	// Of a WhatsApp interaction's sender or recipient only.
	*Resolved
}

// Resolved is a WhatsApp party's phone number and name found in
// WhatsApp's contacts (MVT's sender_, recipient_ and
// domain_resolved_phone_number and _resolved_name; nil: null).
type Resolved struct {
	Phone any `json:"resolved_phone_number"`
	Name  any `json:"resolved_name"`
}

// DomainResolved is Resolved for a WhatsApp interaction's domain
// identifier (its chat), under MVT's names.
type DomainResolved struct {
	Phone any `json:"domain_resolved_phone_number"`
	Name  any `json:"domain_resolved_name"`
}

// contactCols are the ZCONTACTS columns read, the first five by Contact's
// own fields, the others kept under MVT's names.
var contactCols = []string{"Z_PK", "ZDISPLAYNAME", "ZIDENTIFIER", "ZPERSONID", "ZCREATIONDATE", "?ZCUSTOMIDENTIFIER",
	"?ZINCOMINGRECIPIENTCOUNT", "?ZINCOMINGSENDERCOUNT", "?ZOUTGOINGRECIPIENTCOUNT", "?ZFIRSTINCOMINGRECIPIENTDATE", "?ZFIRSTINCOMINGSENDERDATE",
	"?ZFIRSTOUTGOINGRECIPIENTDATE", "?ZLASTINCOMINGSENDERDATE", "?ZLASTINCOMINGRECIPIENTDATE", "?ZLASTOUTGOINGRECIPIENTDATE"}

// newContact reads a ZCONTACTS row.
func newContact(r iosmod.Row) *Contact {
	return &Contact{ID: r.Int("z_pk"), DisplayName: r.Str("zdisplayname"), Identifier: r.Str("zidentifier"), PersonID: r.Str("zpersonid"),
		Created: iosmod.ISO(iosmod.AppleTime(r, "zcreationdate")), CustomID: r.Val("zcustomidentifier"),
		IncomingRecipientCount: r.Val("zincomingrecipientcount"), IncomingSenderCount: r.Val("zincomingsendercount"),
		OutgoingRecipientCount:     r.Val("zoutgoingrecipientcount"),
		FirstIncomingRecipientDate: iosmod.MacISO(r, "zfirstincomingrecipientdate"), FirstIncomingSenderDate: iosmod.MacISO(r, "zfirstincomingsenderdate"),
		FirstOutgoingRecipientDate: iosmod.MacISO(r, "zfirstoutgoingrecipientdate"), LastIncomingSenderDate: iosmod.MacISO(r, "zlastincomingsenderdate"),
		LastIncomingRecipientDate: iosmod.MacISO(r, "zlastincomingrecipientdate"), LastOutgoingRecipientDate: iosmod.MacISO(r, "zlastoutgoingrecipientdate")}
}

// Attachment is one ZATTACHMENT row, under MVT's names (nil: NULL).
type Attachment struct {
	Content      any `json:"content"`
	UTI          any `json:"uti"`
	ContentURL   any `json:"attachment_content_url"`
	Size         any `json:"size"`
	PhotoLocalID any `json:"photo_local_id"`
	ID           any `json:"attachment_id"`
	CloudID      any `json:"cloud_id"`
}

// newAttachment reads a ZATTACHMENT row; its identifier in upper-case hex
// as MVT's HEX() gives it.
func newAttachment(r iosmod.Row) *Attachment {
	return &Attachment{Content: r.Text("zcontenttext"), UTI: r.Text("zuti"), ContentURL: r.Text("zcontenturl"), Size: r.Val("zsizeinbytes"),
		PhotoLocalID: r.Text("zphotolocalidentifier"), ID: strings.ToUpper(hex.EncodeToString(r.Bytes("zidentifier"))), CloudID: r.Text("zcloudidentifier")}
}

// Interaction is one ZINTERACTIONS row with its sender, recipients and
// attachment URLs.
type Interaction struct {
	ID             int64    `json:"id"`
	Start          string   `json:"start_date,omitempty"`
	End            string   `json:"end_date,omitempty"`
	BundleID       string   `json:"bundle_id,omitempty"`
	TargetBundleID string   `json:"target_bundle_id,omitempty"`
	Account        string   `json:"account,omitempty"`
	Direction      string   `json:"direction,omitempty"`
	Sender         *Contact `json:"sender,omitempty"`
	Recipients     []string `json:"recipients,omitempty"`
	DomainID       string   `json:"domain_identifier,omitempty"`
	ContentURL     string   `json:"content_url,omitempty"`
	AttachmentURLs []string `json:"attachment_urls,omitempty"`
	GroupName      string   `json:"group_name,omitempty"`
	DB             string   `json:"db"`
	// MVT's other columns, under MVT's names (nil: NULL); the
	// recipients' and attachments' rows in full.
	IsResponse        any           `json:"is_response"`
	RecipientCount    any           `json:"recipient_count"`
	Created           any           `json:"interactions_creation_date"`
	LocationUUID      any           `json:"location_uuid"`
	DerivedIntentID   any           `json:"derivied_intent_id"`
	RecipientContacts []*Contact    `json:"recipient_contacts,omitempty"`
	Attachments       []*Attachment `json:"attachments,omitempty"`
	// Of a WhatsApp interaction only.
	*DomainResolved
}

// Run reads the tables one by one and joins them in memory.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		contacts := map[int64]*Contact{}
		soft := func(err error) {
			if err != nil {
				rec.FileError(p, err)
			}
		}
		soft(iosmod.Query(ctx, db, rec, "ZCONTACTS", contactCols, "ORDER BY Z_PK", func(r iosmod.Row) error {
			t := iosmod.AppleTime(r, "zcreationdate")
			c := newContact(r)
			contacts[c.ID] = c
			if e, ok := strings.CutPrefix(c.Identifier, "mailto:"); ok {
				rec.CheckEmail(e, module.Where{Artifact: p, Time: t, Label: i18n.M("ios.interactionc.what_contact"), Record: c})
			}
			iosmod.Event(rec, t, "contact_first_recorded", i18n.M("ios.interactionc.event_contact", "contact", c.Identifier), p)
			return nil
		}))
		attByID := map[int64]*Attachment{}
		soft(iosmod.Query(ctx, db, rec, "ZATTACHMENT", []string{"Z_PK", "ZCONTENTURL", "?ZCONTENTTEXT", "?ZUTI", "?ZSIZEINBYTES", "?ZPHOTOLOCALIDENTIFIER", "?ZIDENTIFIER", "?ZCLOUDIDENTIFIER"}, "", func(r iosmod.Row) error {
			attByID[r.Int("z_pk")] = newAttachment(r)
			return nil
		}))
		atts := map[int64][]*Attachment{}
		soft(iosmod.Query(ctx, db, rec, "Z_1INTERACTIONS", []string{"Z_1ATTACHMENTS", "Z_3INTERACTIONS"}, "", func(r iosmod.Row) error {
			if a := attByID[r.Int("z_1attachments")]; a != nil {
				atts[r.Int("z_3interactions")] = append(atts[r.Int("z_3interactions")], a)
			}
			return nil
		}))
		var wa *waContacts // read at the first WhatsApp interaction
		recips := map[int64][]*Contact{}
		soft(iosmod.Query(ctx, db, rec, "Z_2INTERACTIONRECIPIENT", []string{"Z_2RECIPIENTS", "Z_3INTERACTIONRECIPIENT"}, "", func(r iosmod.Row) error {
			if c := contacts[r.Int("z_2recipients")]; c != nil {
				recips[r.Int("z_3interactionrecipient")] = append(recips[r.Int("z_3interactionrecipient")], c)
			}
			return nil
		}))
		return iosmod.Query(ctx, db, rec, "ZINTERACTIONS",
			[]string{"Z_PK", "ZSENDER", "ZSTARTDATE", "ZENDDATE", "ZBUNDLEID", "ZTARGETBUNDLEID", "ZACCOUNT", "ZDIRECTION", "ZDOMAINIDENTIFIER", "ZCONTENTURL", "ZGROUPNAME",
				"?ZISRESPONSE", "?ZRECIPIENTCOUNT", "?ZCREATIONDATE", "?ZLOCATIONUUID", "?ZDERIVEDINTENTIDENTIFIER"},
			"ORDER BY ZSTARTDATE, Z_PK", func(r iosmod.Row) error {
				it := Interaction{ID: r.Int("z_pk"), BundleID: r.Str("zbundleid"), TargetBundleID: r.Str("ztargetbundleid"), Account: r.Str("zaccount"),
					Sender: contacts[r.Int("zsender")], DomainID: r.Str("zdomainidentifier"), ContentURL: r.Str("zcontenturl"), GroupName: r.Str("zgroupname"), DB: p,
					IsResponse: r.Val("zisresponse"), RecipientCount: r.Val("zrecipientcount"), Created: iosmod.MacISO(r, "zcreationdate"),
					LocationUUID: r.Text("zlocationuuid"), DerivedIntentID: r.Text("zderivedintentidentifier")}
				switch {
				case r.Null("zdirection"):
				case r.Int("zdirection") == 0:
					it.Direction = "incoming"
				case r.Int("zdirection") == 1:
					it.Direction = "outgoing"
				}
				it.RecipientContacts, it.Attachments = recips[it.ID], atts[it.ID]
				if it.BundleID == whatsAppBundleID {
					if wa == nil {
						wa = readWhatsAppContacts(ctx, in, rec)
					}
					wa.resolve(&it)
				}
				for _, c := range it.RecipientContacts {
					it.Recipients = append(it.Recipients, c.Identifier)
				}
				for _, a := range it.Attachments {
					if u, _ := a.ContentURL.(string); u != "" {
						it.AttachmentURLs = append(it.AttachmentURLs, u)
					}
				}
				t := iosmod.AppleTime(r, "zstartdate")
				it.Start, it.End = iosmod.ISO(t), iosmod.ISO(iosmod.AppleTime(r, "zenddate"))
				rec.Record(it)
				who := ""
				if it.Sender != nil {
					who = it.Sender.Identifier
				}
				iosmod.Event(rec, t, "interaction", i18n.M(interactionKey(it.Direction), "app", it.BundleID, "who", who, "recipients", fmt.Sprint(it.Recipients)), p)
				w := module.Where{Artifact: p, Time: t, Label: i18n.M("ios.interactionc.what_app"), Record: it}
				rec.CheckBundleID(it.BundleID, w)
				rec.CheckBundleID(it.TargetBundleID, w)
				w.Label = i18n.M("ios.interactionc.what_url")
				rec.CheckURL(it.ContentURL, w)
				for _, u := range it.AttachmentURLs {
					rec.CheckURL(u, w)
				}
				return nil
			})
	})
}

// whatsAppBundleID is the app whose interactions name WhatsApp parties.
const whatsAppBundleID = "net.whatsapp.WhatsApp"

// waContact is a WhatsApp contact's phone number and name (nil: NULL).
type waContact struct{ phone, name any }

// waContacts are WhatsApp's contacts by LID ("…@lid") and by the digits
// of their phone number or WhatsApp id.
type waContacts struct{ byLID, byPhone map[string]waContact }

// readWhatsAppContacts reads ZWAADDRESSBOOKCONTACT of every
// ContactsV2.sqlite: none when there is no such database (a database that
// cannot be read is a file error of this module). As MVT: the name is the
// full name, else the given name; a later contact with the same LID or
// phone number wins over an earlier one, and a WhatsApp id never wins
// over a phone number.
func readWhatsAppContacts(ctx context.Context, in *module.Input, rec *module.Recorder) *waContacts {
	wa := &waContacts{byLID: map[string]waContact{}, byPhone: map[string]waContact{}}
	_ = iosmod.ForEachDB(ctx, in, rec, whatsapp.ContactsSpec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		return iosmod.Query(ctx, db, rec, "ZWAADDRESSBOOKCONTACT", []string{"?ZFULLNAME", "?ZGIVENNAME", "?ZPHONENUMBER", "?ZWHATSAPPID", "?ZLID"}, "ORDER BY Z_PK",
			func(r iosmod.Row) error {
				c := waContact{phone: r.Text("zphonenumber"), name: r.Text("zfullname")}
				if !truthy(c.name) {
					c.name = r.Text("zgivenname")
				}
				if lid := r.Str("zlid"); lid != "" {
					wa.byLID[lid] = c
				}
				if ph, _ := c.phone.(string); ph != "" {
					wa.byPhone[digits(ph)] = c
				}
				if id, _, ok := strings.Cut(r.Str("zwhatsappid"), "@"); ok {
					if _, dup := wa.byPhone[id]; !dup {
						wa.byPhone[id] = c
					}
				}
				return nil
			})
	}) // ErrNotFound: no WhatsApp contacts, the parties stay unresolved
	return wa
}

// resolve sets the resolved phone numbers and names of a WhatsApp
// interaction: its sender (by identifier, else custom id), each recipient
// (copied: a contact is shared by interactions) and its domain identifier.
func (wa *waContacts) resolve(it *Interaction) {
	if it.Sender != nil {
		s := *it.Sender
		s.Resolved = wa.first(s.Identifier, s.CustomID)
		it.Sender = &s
	}
	rs := make([]*Contact, len(it.RecipientContacts))
	for i, c := range it.RecipientContacts {
		r := *c
		r.Resolved = wa.first(r.Identifier)
		rs[i] = &r
	}
	if len(rs) > 0 {
		it.RecipientContacts = rs
	}
	d := wa.first(it.DomainID)
	it.DomainResolved = &DomainResolved{Phone: d.Phone, Name: d.Name}
}

// first resolves the first of values that gives a phone number or a name
// (the last one tried when none does).
func (wa *waContacts) first(values ...any) *Resolved {
	r := &Resolved{}
	for _, v := range values {
		r.Phone, r.Name = wa.lookup(v)
		if truthy(r.Phone) || truthy(r.Name) {
			break
		}
	}
	return r
}

// lookup resolves one WhatsApp identifier: a LID by its contact, a JID
// by the contact of its digits (its phone number "+digits" when there is
// none), a "+" phone number to its contact's name only; a group or
// anything else to nothing.
func (wa *waContacts) lookup(v any) (phone, name any) {
	s := ""
	switch v := v.(type) {
	case string:
		s = v
	case nil:
	default:
		s = fmt.Sprint(v)
	}
	switch {
	case s == "":
	case strings.HasSuffix(s, "@lid"):
		c := wa.byLID[s]
		return c.phone, c.name
	case strings.HasSuffix(s, "@g.us"):
	case strings.HasSuffix(s, "@s.whatsapp.net"):
		d, _, _ := strings.Cut(s, "@")
		c := wa.byPhone[d]
		if !truthy(c.phone) {
			return "+" + d, c.name
		}
		return c.phone, c.name
	case strings.HasPrefix(s, "+"):
		return nil, wa.byPhone[digits(s)].name
	}
	return nil, nil
}

// truthy is Python's truth of a column value: not NULL, not "".
func truthy(v any) bool { return v != nil && v != "" }

// digits keeps the digits of s.
func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
