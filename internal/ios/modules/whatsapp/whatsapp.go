// Package whatsapp owns WhatsApp's iOS databases: ChatStorage.sqlite
// (messages, link previews, media URLs) and ContactsV2.sqlite (contacts and
// their disappearing-message settings). Links in messages, previews and
// contact "about" texts are checked against the indicators.
package whatsapp

import (
	"context"
	"fmt"
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

const group = "AppDomainGroup-group.net.whatsapp.WhatsApp.shared/"

// ChatSpec locates ChatStorage.sqlite.
var ChatSpec = artifact.Spec{
	Backup: []string{group + "ChatStorage.sqlite"},
	Dump:   []string{"private/var/mobile/Containers/Shared/AppGroup/*/ChatStorage.sqlite"},
}

// ContactsSpec locates ContactsV2.sqlite.
var ContactsSpec = artifact.Spec{
	Backup: []string{group + "ContactsV2.sqlite"},
	Dump:   []string{"private/var/mobile/Containers/Shared/AppGroup/*/ContactsV2.sqlite"},
}

// Messages reads WhatsApp messages.
type Messages struct{ module.Base }

// NewMessages returns the module.
func NewMessages() Messages { return Messages{module.NewBase("whatsapp", 1, ChatSpec)} }

// Message is one message record.
type Message struct {
	ID       int64    `json:"id"`
	Chat     string   `json:"chat,omitempty"`
	From     string   `json:"from_jid,omitempty"`
	To       string   `json:"to_jid,omitempty"`
	FromMe   bool     `json:"from_me"`
	Text     string   `json:"text,omitempty"`
	Type     int64    `json:"message_type"`
	Date     string   `json:"date"`
	Links    []string `json:"links,omitempty"`
	MediaURL string   `json:"media_url,omitempty"`
	DB       string   `json:"db"`
}

// Run reads chats, link previews and media, then messages.
func (Messages) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, ChatSpec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		soft := func(err error) {
			if err != nil {
				rec.FileError(p, err)
			}
		}
		chats := map[int64]string{}
		soft(iosmod.Query(ctx, db, rec, "ZWACHATSESSION", []string{"Z_PK", "ZCONTACTJID", "ZPARTNERNAME"}, "", func(r iosmod.Row) error {
			chats[r.Int("z_pk")] = strings.TrimSpace(r.Str("zpartnername") + " " + r.Str("zcontactjid"))
			return nil
		}))
		extra := map[int64][]string{}
		soft(iosmod.Query(ctx, db, rec, "ZWAMESSAGEDATAITEM", []string{"ZMESSAGE", "ZCONTENT1", "ZCONTENT2", "ZMATCHEDTEXT"}, "ORDER BY Z_PK", func(r iosmod.Row) error {
			for _, c := range []string{"zcontent1", "zcontent2", "zmatchedtext"} {
				extra[r.Int("zmessage")] = append(extra[r.Int("zmessage")], iosmod.Links(r.Str(c))...)
			}
			return nil
		}))
		media := map[int64]string{}
		soft(iosmod.Query(ctx, db, rec, "ZWAMEDIAITEM", []string{"ZMESSAGE", "ZMEDIAURL"}, "", func(r iosmod.Row) error {
			media[r.Int("zmessage")] = r.Str("zmediaurl")
			return nil
		}))
		return iosmod.Query(ctx, db, rec, "ZWAMESSAGE", []string{"Z_PK", "ZCHATSESSION", "ZFROMJID", "ZTOJID", "ZTEXT", "ZMESSAGEDATE", "ZMESSAGETYPE", "ZISFROMME"}, "ORDER BY ZMESSAGEDATE, Z_PK", func(r iosmod.Row) error {
			t := iosmod.AppleTime(r, "zmessagedate")
			m := Message{ID: r.Int("z_pk"), Chat: chats[r.Int("zchatsession")], From: r.Str("zfromjid"), To: r.Str("ztojid"), FromMe: r.Int("zisfromme") == 1,
				Text: r.Str("ztext"), Type: r.Int("zmessagetype"), Date: iosmod.ISO(t), MediaURL: media[r.Int("z_pk")], DB: p}
			m.Links = dedupe(append(iosmod.Links(m.Text), extra[m.ID]...))
			rec.Record(m)
			who := m.From
			if m.FromMe {
				who = "me"
			}
			iosmod.Event(rec, t, "whatsapp_message", i18n.M("ios.whatsapp.event_message", "text", clip(m.Text), "from", who, "links", fmt.Sprint(m.Links)), p)
			for _, l := range m.Links {
				rec.CheckURL(l, module.Where{Artifact: p, Time: t, Label: i18n.M("ios.whatsapp.what_message_link"), Record: m})
			}
			return nil
		})
	})
}

// Contacts reads WhatsApp contacts.
type Contacts struct{ module.Base }

// NewContacts returns the module.
func NewContacts() Contacts { return Contacts{module.NewBase("whatsapp_contacts", 1, ContactsSpec)} }

// Contact is one WhatsApp contact.
type Contact struct {
	ID                  int64    `json:"id"`
	FullName            string   `json:"full_name,omitempty"`
	PhoneNumber         string   `json:"phone_number,omitempty"`
	WhatsAppID          string   `json:"whatsapp_id,omitempty"`
	LID                 string   `json:"lid,omitempty"`
	About               string   `json:"about_text,omitempty"`
	DisappearingSeconds float64  `json:"disappearing_mode_duration,omitempty"`
	DisappearingSince   string   `json:"disappearing_mode_timestamp,omitempty"`
	LastUpdated         string   `json:"last_updated,omitempty"`
	Links               []string `json:"links,omitempty"`
	DB                  string   `json:"db"`
}

// Run reads ZWAADDRESSBOOKCONTACT.
func (Contacts) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, ContactsSpec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		return iosmod.Query(ctx, db, rec, "ZWAADDRESSBOOKCONTACT", []string{"Z_PK", "ZFULLNAME", "ZPHONENUMBER", "ZWHATSAPPID", "ZLID", "ZABOUTTEXT", "ZDISAPPEARINGMODEDURATION", "ZDISAPPEARINGMODETIMESTAMP", "ZLASTUPDATED"}, "ORDER BY Z_PK", func(r iosmod.Row) error {
			up := iosmod.AppleTime(r, "zlastupdated")
			ds := iosmod.AppleTime(r, "zdisappearingmodetimestamp")
			c := Contact{ID: r.Int("z_pk"), FullName: r.Str("zfullname"), PhoneNumber: r.Str("zphonenumber"), WhatsAppID: r.Str("zwhatsappid"), LID: r.Str("zlid"),
				About: r.Str("zabouttext"), DisappearingSeconds: r.Float("zdisappearingmodeduration"), DisappearingSince: iosmod.ISO(ds), LastUpdated: iosmod.ISO(up), DB: p}
			c.Links = iosmod.Links(c.About)
			rec.Record(c)
			name := strings.TrimSpace(c.WhatsAppID + " " + c.FullName)
			iosmod.Event(rec, up, "whatsapp_contact_updated", i18n.M("ios.whatsapp.event_contact", "contact", name), p)
			if c.DisappearingSeconds > 0 {
				iosmod.Event(rec, ds, "whatsapp_disappearing_on", i18n.M("ios.whatsapp.event_disappearing", "seconds", fmt.Sprintf("%.0f", c.DisappearingSeconds), "contact", name), p)
			}
			for _, l := range c.Links {
				rec.CheckURL(l, module.Where{Artifact: p, Time: up, Label: i18n.M("ios.whatsapp.what_about_link"), Record: c})
			}
			return nil
		})
	})
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func clip(s string) string {
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
