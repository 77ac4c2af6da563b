// Package whatsapp owns WhatsApp's iOS databases: ChatStorage.sqlite
// (messages, link previews, media URLs, chat sessions), LID.sqlite (the
// pairs of a contact's LID and phone number; older versions keep them in
// ChatStorage.sqlite) and ContactsV2.sqlite (contacts and their
// disappearing-message settings). Links in messages, previews and contact
// "about" texts are checked against the indicators; chats (created, first
// and last message) and LID pairs go on the timeline.
package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

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

// LIDSpec locates LID.sqlite.
var LIDSpec = artifact.Spec{
	Backup: []string{group + "LID.sqlite"},
	Dump:   []string{"private/var/mobile/Containers/Shared/AppGroup/*/LID.sqlite"},
}

// lidTable holds the LID–phone-number pairs, in LID.sqlite or, in older
// versions, in ChatStorage.sqlite.
const lidTable = "ZWAPHONENUMBERLIDPAIR"

// Messages reads WhatsApp messages, chats and LID pairs.
type Messages struct{ module.Base }

// NewMessages returns the module.
func NewMessages() Messages { return Messages{module.NewBase("whatsapp", 3, ChatSpec)} }

// Record kinds of the whatsapp module.
const (
	KindMessage = "message"
	KindChat    = "chat"
	KindLIDPair = "lid_pair"
)

// Message is one message record.
type Message struct {
	Kind     string   `json:"kind"` // KindMessage
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
	// MVT's columns of the message's media and data items, under MVT's
	// names (nil: NULL or no such item).
	AuthorName  any `json:"ZAUTHORNAME"`
	Content1    any `json:"ZCONTENT1"`
	Content2    any `json:"ZCONTENT2"`
	MatchedText any `json:"ZMATCHEDTEXT"`
	Summary     any `json:"ZSUMMARY"`
	Title       any `json:"ZTITLE"`
	// Columns are ZWAMESSAGE's other columns, under their own names.
	Columns iosmod.Columns `json:"-"`
}

// MarshalJSON writes the message with its other columns after its fields.
func (m Message) MarshalJSON() ([]byte, error) {
	type plain Message
	return iosmod.MarshalWith(plain(m), m.Columns)
}

// dataItem is a message's link preview or other data item (its first
// ZWAMESSAGEDATAITEM row), and the links found in it.
type dataItem struct {
	content1, content2, matched, summary, title any
	links                                       []string
}

// mediaItem is a message's media (its ZWAMEDIAITEM row).
type mediaItem struct {
	url    string
	author any
}

// messageCols are the ZWAMESSAGE columns the module reads; all but
// ZCHATSESSION (a chat's label in the record) are Message's named fields.
var messageCols = []string{"Z_PK", "ZCHATSESSION", "ZFROMJID", "ZTOJID", "ZTEXT", "ZMESSAGEDATE", "ZMESSAGETYPE", "ZISFROMME"}

// messageNamed are the ZWAMESSAGE columns a Message holds under its own
// names, so not among its Columns.
var messageNamed = []string{"Z_PK", "ZFROMJID", "ZTOJID", "ZTEXT", "ZMESSAGEDATE", "ZMESSAGETYPE", "ZISFROMME"}

// Chat is one chat session: its peer or group, and the times of its
// creation (groups), first stored message and last message. LastMessage is
// the session's own date, which can be later than the newest stored
// message when that one was deleted.
type Chat struct {
	Kind           string `json:"kind"` // KindChat
	ID             int64  `json:"id"`
	JID            string `json:"contact_jid,omitempty"`
	Name           string `json:"partner_name,omitempty"`
	PhoneNumber    string `json:"resolved_phone_number,omitempty"` // of a chat known by LID, from the LID pairs
	Group          bool   `json:"group,omitempty"`
	Created        string `json:"group_created,omitempty"`
	FirstMessage   string `json:"first_stored_message,omitempty"`
	LastMessage    string `json:"last_message,omitempty"`
	StoredMessages int    `json:"stored_messages"`
	DB             string `json:"db"`
	// MVT's other columns, under MVT's names (nil: NULL).
	SessionType    any `json:"session_type"`
	Archived       any `json:"archived"`
	Removed        any `json:"removed"`
	MessageCounter any `json:"message_counter"`
	LastStored     any `json:"last_stored_message_date"` // the newest stored message's time
}

// LIDPair pairs a contact's LID (the identifier WhatsApp uses in place of
// the phone number) with the phone number.
type LIDPair struct {
	Kind        string `json:"kind"` // KindLIDPair
	LID         string `json:"lid"`
	PhoneNumber string `json:"phone_number,omitempty"`
	Date        string `json:"date,omitempty"`
	DB          string `json:"db"`
}

// chat is a session being read, with its messages' times.
type chat struct {
	Chat
	created, last, first, lastStored time.Time
}

// Run reads the LID pairs, then, in each ChatStorage.sqlite, chats, link
// previews and media, messages, and last the chats with their first and
// last messages.
func (Messages) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	lids, err := readLIDFile(ctx, in, rec)
	if err != nil {
		return err
	}
	return iosmod.ForEachDB(ctx, in, rec, ChatSpec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		soft := func(err error) {
			if err != nil {
				rec.FileError(p, err)
			}
		}
		if lids == nil { // no LID.sqlite: older versions keep the pairs here
			pairs, err := readLIDPairs(ctx, db, rec, p, false)
			soft(err)
			lids = pairs
		}
		created := map[int64]time.Time{}
		if db.CheckTable(ctx, "ZWAGROUPINFO") == nil {
			soft(iosmod.Query(ctx, db, rec, "ZWAGROUPINFO", []string{"Z_PK", "ZCREATIONDATE"}, "", func(r iosmod.Row) error {
				created[r.Int("z_pk")] = iosmod.AppleTime(r, "zcreationdate")
				return nil
			}))
		}
		sessions := map[int64]*chat{}
		var order []int64
		soft(iosmod.Query(ctx, db, rec, "ZWACHATSESSION", []string{"Z_PK", "ZCONTACTJID", "ZPARTNERNAME", "ZLASTMESSAGEDATE", "ZGROUPINFO",
			"?ZSESSIONTYPE", "?ZARCHIVED", "?ZREMOVED", "?ZMESSAGECOUNTER"}, "ORDER BY Z_PK", func(r iosmod.Row) error {
			c := &chat{Chat: Chat{Kind: KindChat, ID: r.Int("z_pk"), JID: r.Str("zcontactjid"), Name: r.Str("zpartnername"), DB: p,
				SessionType: r.Val("zsessiontype"), Archived: r.Val("zarchived"), Removed: r.Val("zremoved"), MessageCounter: r.Val("zmessagecounter")}}
			c.last = iosmod.AppleTime(r, "zlastmessagedate")
			if g := r.Int("zgroupinfo"); g != 0 || strings.HasSuffix(c.JID, "@g.us") {
				c.Group, c.created = true, created[g]
			}
			if lid, ok := strings.CutSuffix(c.JID, "@lid"); ok {
				c.PhoneNumber = lids[lid]
			}
			sessions[c.ID], order = c, append(order, c.ID)
			return nil
		}))
		items := map[int64]*dataItem{}
		soft(iosmod.Query(ctx, db, rec, "ZWAMESSAGEDATAITEM", []string{"ZMESSAGE", "ZCONTENT1", "ZCONTENT2", "ZMATCHEDTEXT", "?ZSUMMARY", "?ZTITLE"}, "ORDER BY Z_PK", func(r iosmod.Row) error {
			it := items[r.Int("zmessage")]
			if it == nil { // MVT's columns are the first item's
				it = &dataItem{content1: r.Text("zcontent1"), content2: r.Text("zcontent2"), matched: r.Text("zmatchedtext"), summary: r.Text("zsummary"), title: r.Text("ztitle")}
				items[r.Int("zmessage")] = it
			}
			for _, c := range []string{"zcontent1", "zcontent2", "zmatchedtext"} {
				it.links = append(it.links, iosmod.Links(r.Str(c))...)
			}
			return nil
		}))
		media := map[int64]mediaItem{}
		soft(iosmod.Query(ctx, db, rec, "ZWAMEDIAITEM", []string{"ZMESSAGE", "ZMEDIAURL", "?ZAUTHORNAME"}, "", func(r iosmod.Row) error {
			media[r.Int("zmessage")] = mediaItem{url: r.Str("zmediaurl"), author: r.Text("zauthorname")}
			return nil
		}))
		restSel, rest := iosmod.OtherColumns(ctx, db, "ZWAMESSAGE", messageNamed)
		err := iosmod.Query(ctx, db, rec, "ZWAMESSAGE", append(messageCols[:len(messageCols):len(messageCols)], restSel...), "ORDER BY ZMESSAGEDATE, Z_PK", func(r iosmod.Row) error {
			t := iosmod.AppleTime(r, "zmessagedate")
			md := media[r.Int("z_pk")]
			m := Message{Kind: KindMessage, ID: r.Int("z_pk"), From: r.Str("zfromjid"), To: r.Str("ztojid"), FromMe: r.Int("zisfromme") == 1,
				Text: r.Str("ztext"), Type: r.Int("zmessagetype"), Date: iosmod.ISO(t), MediaURL: md.url, AuthorName: md.author, DB: p,
				Columns: r.Tail(rest)}
			if c := sessions[r.Int("zchatsession")]; c != nil {
				m.Chat = c.label()
				c.seen(t)
			}
			var links []string
			if it := items[m.ID]; it != nil {
				m.Content1, m.Content2, m.MatchedText, m.Summary, m.Title = it.content1, it.content2, it.matched, it.summary, it.title
				links = it.links
			}
			m.Links = dedupe(append(iosmod.Links(m.Text), links...))
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
		for _, id := range order { // the chats the messages were counted in
			sessions[id].record(rec)
		}
		return err
	})
}

// label names a chat in a message record: partner name and JID.
func (c *chat) label() string { return strings.TrimSpace(c.Name + " " + c.JID) }

// seen counts a stored message of the chat sent at t.
func (c *chat) seen(t time.Time) {
	c.StoredMessages++
	if !t.IsZero() && (c.first.IsZero() || t.Before(c.first)) {
		c.first = t
	}
	if t.After(c.lastStored) {
		c.lastStored = t
	}
}

// record records the chat and puts its creation, first and last message
// on the timeline.
func (c *chat) record(rec *module.Recorder) {
	c.Created, c.FirstMessage, c.LastMessage = iosmod.ISO(c.created), iosmod.ISO(c.first), iosmod.ISO(c.last)
	if s := iosmod.ISO(c.lastStored); s != "" {
		c.LastStored = s
	}
	rec.Record(c.Chat)
	who := c.JID
	if c.PhoneNumber != "" {
		who += " (+" + c.PhoneNumber + ")"
	}
	if c.Name != "" {
		who = c.Name + " " + who
	}
	if c.Group {
		iosmod.Event(rec, c.created, "whatsapp_group_created", i18n.M("ios.whatsapp.event_group_created", "chat", who), c.DB)
	}
	iosmod.Event(rec, c.first, "whatsapp_chat_first_message", i18n.M("ios.whatsapp.event_chat_first", "chat", who), c.DB)
	iosmod.Event(rec, c.last, "whatsapp_chat_last_message", i18n.M("ios.whatsapp.event_chat_last", "chat", who), c.DB)
}

// readLIDFile reads the LID pairs of LID.sqlite; nil when there is none.
func readLIDFile(ctx context.Context, in *module.Input, rec *module.Recorder) (map[string]string, error) {
	var lids map[string]string
	err := iosmod.ForEachDB(ctx, in, rec, LIDSpec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		pairs, err := readLIDPairs(ctx, db, rec, p, true)
		if lids == nil {
			lids = map[string]string{}
		}
		for k, v := range pairs {
			lids[k] = v
		}
		return err
	})
	if errors.Is(err, module.ErrNotFound) {
		return nil, nil
	}
	return lids, err
}

// readLIDPairs records the LID pairs of db and returns them as LID digits
// → phone digits. A ChatStorage.sqlite without the table has none (want is
// false there: no note).
func readLIDPairs(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, p string, want bool) (map[string]string, error) {
	if err := db.CheckTable(ctx, lidTable); errors.Is(err, fs.ErrNotExist) && !want {
		return nil, nil
	}
	out := map[string]string{}
	err := iosmod.Query(ctx, db, rec, lidTable, []string{"ZLID", "ZPHONENUMBER", "ZTIMESTAMP"}, "ORDER BY ZTIMESTAMP, ZLID", func(r iosmod.Row) error {
		t := iosmod.AppleTime(r, "ztimestamp")
		l := LIDPair{Kind: KindLIDPair, LID: r.Str("zlid"), PhoneNumber: r.Str("zphonenumber"), Date: iosmod.ISO(t), DB: p}
		rec.Record(l)
		iosmod.Event(rec, t, "whatsapp_lid_pair", i18n.M("ios.whatsapp.event_lid_pair", "lid", l.LID, "phone", l.PhoneNumber), p)
		lid, _, _ := strings.Cut(l.LID, "@")
		phone, _, _ := strings.Cut(l.PhoneNumber, "@")
		if lid != "" && phone != "" {
			out[lid] = strings.TrimPrefix(phone, "+")
		}
		return nil
	})
	return out, err
}

// Contacts reads WhatsApp contacts.
type Contacts struct{ module.Base }

// NewContacts returns the module.
func NewContacts() Contacts { return Contacts{module.NewBase("whatsapp_contacts", 3, ContactsSpec)} }

// Contact is one WhatsApp contact.
type Contact struct {
	ID                  int64    `json:"id"`
	FullName            string   `json:"full_name,omitempty"`
	PhoneNumber         string   `json:"phone_number,omitempty"`
	WhatsAppID          string   `json:"whatsapp_id,omitempty"`
	LID                 string   `json:"lid,omitempty"`
	About               string   `json:"about_text,omitempty"`
	AboutChanged        string   `json:"about_timestamp,omitempty"`
	AboutExpires        string   `json:"about_expiration_timestamp,omitempty"`
	DisappearingSeconds float64  `json:"disappearing_mode_duration,omitempty"`
	DisappearingSince   string   `json:"disappearing_mode_timestamp,omitempty"`
	LastUpdated         string   `json:"last_updated,omitempty"`
	Links               []string `json:"links,omitempty"`
	DB                  string   `json:"db"`
	// MVT's other columns, under MVT's names (nil: NULL or absent).
	GivenName         any   `json:"given_name"`
	LastName          any   `json:"last_name"`
	UserName          any   `json:"user_name"`
	BusinessName      any   `json:"business_name"`
	LocalizedPhone    any   `json:"localized_phone_number"`
	AboutEmoji        any   `json:"about_emoji"`
	Notes             any   `json:"notes"`
	PhoneStatus       any   `json:"phone_status"`
	SyncPolicy        any   `json:"sync_policy"`
	DisappearingOn    *bool `json:"disappearing_mode_is_on"`
	DisappearingLabel any   `json:"disappearing_mode_label"`
}

// disappearingLabels are WhatsApp's disappearing-message timers, named
// as MVT names them.
var disappearingLabels = map[int64]string{86400: "24 hours", 604800: "7 days", 1209600: "14 days", 2592000: "30 days", 7776000: "90 days"}

// disappearing sets MVT's disappearing_mode_is_on and _label from the
// duration column: unknown (nil) when the database has no such column.
func (c *Contact) disappearing(hasDuration bool) {
	if !hasDuration {
		return
	}
	on := c.DisappearingSeconds != 0
	c.DisappearingOn = &on
	switch n := int64(c.DisappearingSeconds); {
	case !on:
		c.DisappearingLabel = "off"
	case disappearingLabels[n] != "":
		c.DisappearingLabel = disappearingLabels[n]
	default:
		c.DisappearingLabel = strconv.FormatInt(n, 10) + " seconds"
	}
}

// Run reads ZWAADDRESSBOOKCONTACT.
func (Contacts) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, ContactsSpec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		have := db.Columns(ctx, "ZWAADDRESSBOOKCONTACT")
		status := "ZPHONESTATUS"
		if !have["zphonestatus"] && have["zphonenumberstatus"] {
			status = "ZPHONENUMBERSTATUS"
		}
		return iosmod.Query(ctx, db, rec, "ZWAADDRESSBOOKCONTACT", []string{"Z_PK", "ZFULLNAME", "ZPHONENUMBER", "ZWHATSAPPID", "ZLID", "ZABOUTTEXT", "ZABOUTTIMESTAMP", "ZABOUTEXPIRATIONTIMESTAMP", "ZDISAPPEARINGMODEDURATION", "ZDISAPPEARINGMODETIMESTAMP", "ZLASTUPDATED",
			"?ZGIVENNAME", "?ZLASTNAME", "?ZUSERNAME", "?ZBUSINESSNAME", "?ZLOCALIZEDPHONENUMBER", "?ZABOUTEMOJI", "?ZNOTES", "?" + status, "?ZSYNCPOLICY"}, "ORDER BY Z_PK", func(r iosmod.Row) error {
			up := iosmod.AppleTime(r, "zlastupdated")
			ds := iosmod.AppleTime(r, "zdisappearingmodetimestamp")
			ab, ax := iosmod.AppleTime(r, "zabouttimestamp"), iosmod.AppleTime(r, "zaboutexpirationtimestamp")
			c := Contact{ID: r.Int("z_pk"), FullName: r.Str("zfullname"), PhoneNumber: r.Str("zphonenumber"), WhatsAppID: r.Str("zwhatsappid"), LID: r.Str("zlid"),
				About: r.Str("zabouttext"), AboutChanged: iosmod.ISO(ab), AboutExpires: iosmod.ISO(ax),
				DisappearingSeconds: r.Float("zdisappearingmodeduration"), DisappearingSince: iosmod.ISO(ds), LastUpdated: iosmod.ISO(up), DB: p,
				GivenName: r.Text("zgivenname"), LastName: r.Text("zlastname"), UserName: r.Text("zusername"), BusinessName: r.Text("zbusinessname"),
				LocalizedPhone: r.Text("zlocalizedphonenumber"), AboutEmoji: r.Text("zaboutemoji"), Notes: r.Text("znotes"),
				PhoneStatus: r.Val(strings.ToLower(status)), SyncPolicy: r.Val("zsyncpolicy")}
			c.disappearing(have["zdisappearingmodeduration"])
			c.Links = iosmod.Links(c.About)
			rec.Record(c)
			name := strings.TrimSpace(c.WhatsAppID + " " + c.FullName)
			iosmod.Event(rec, up, "whatsapp_contact_updated", i18n.M("ios.whatsapp.event_contact", "contact", name), p)
			if c.DisappearingSeconds > 0 {
				iosmod.Event(rec, ds, "whatsapp_disappearing_on", i18n.M("ios.whatsapp.event_disappearing", "seconds", fmt.Sprintf("%.0f", c.DisappearingSeconds), "contact", name), p)
			} else { // a timer switched off keeps the time it was switched off
				iosmod.Event(rec, ds, "whatsapp_disappearing_off", i18n.M("ios.whatsapp.event_disappearing_off", "contact", name), p)
			}
			iosmod.Event(rec, ab, "whatsapp_about_changed", i18n.M("ios.whatsapp.event_about", "contact", name, "text", clip(c.About)), p)
			iosmod.Event(rec, ax, "whatsapp_about_expires", i18n.M("ios.whatsapp.event_about_expires", "contact", name), p)
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
