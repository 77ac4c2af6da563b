// Package sms owns the iOS Messages database (sms.db): SMS and iMessage
// messages with their links, and their attachments. It checks links, sender
// handles (emails) and attachment paths against the indicators and flags
// Apple's threat notifications and iMessage attachments received under
// /var/tmp with a "-1" suffix (a trace of zero-click exploit delivery).
//
// On recent iOS the words of a message may be only in message.attributedBody
// (an archived NSAttributedString, text NULL), and a link may be stored as
// an attribute of words that do not show it. Every attributedBody is decoded
// (internal/ios/typedstream): its text is recorded, and the links of its
// text and of its link attributes are checked like those of text. MVT only
// base64-encodes that column, so it never checks those links.
package sms

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/ios/typedstream"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates sms.db.
var Spec = artifact.Spec{
	Backup: []string{"HomeDomain/Library/SMS/sms.db"},
	Dump:   []string{"private/var/mobile/Library/SMS/sms.db"},
}

// Module reads messages.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("sms", 3, Spec)} }

// Message is one message record.
type Message struct {
	ID        int64  `json:"id"`
	GUID      string `json:"guid"`
	Handle    string `json:"handle"`
	Service   string `json:"service"`
	Account   string `json:"account,omitempty"`
	Direction string `json:"direction"`
	// Text is message.text, or the text of attributedBody when text is
	// NULL (TextSource is then "attributedBody").
	Text       string `json:"text"`
	TextSource string `json:"text_source,omitempty"`
	// BodyText is the text of attributedBody when it differs from text.
	BodyText string `json:"attributed_body_text,omitempty"`
	// BodyLinks are the URLs stored as attributes of the body's words.
	BodyLinks []string `json:"attributed_body_links,omitempty"`
	// BodyError says why attributedBody could not be decoded; Body then
	// keeps its bytes (base64 in JSON) and Links holds the links found in
	// them as plain text.
	BodyError     string   `json:"attributed_body_error,omitempty"`
	Body          []byte   `json:"attributed_body,omitempty"`
	Links         []string `json:"links,omitempty"`
	Date          string   `json:"date"`
	DateRead      string   `json:"date_read,omitempty"`
	HasAttachment bool     `json:"has_attachments,omitempty"`
	DB            string   `json:"db"`
	// Columns are the message table's other columns, under their own
	// names (MVT keeps message.*); written by full, after the fields.
	Columns iosmod.Columns `json:"-"`
}

// messageNamed are the message columns a Message holds under its own
// names (date and date_read as ISO text, attributedBody decoded), so not
// among its Columns.
var messageNamed = []string{"ROWID", "guid", "text", "attributedBody", "service", "account", "date", "date_read"}

// full is a message as recorded and carried by its alerts: its fields,
// then its other columns.
type full struct{ *Message }

// AppendJSON appends the message's fields and its other columns.
func (f full) AppendJSON(dst []byte) ([]byte, error) {
	start := len(dst)
	b, err := f.Message.AppendJSON(dst)
	if err != nil {
		return b, err
	}
	if b, err = f.Columns.AppendObject(b, start); err != nil {
		return dst[:start], err
	}
	return b, nil
}

// MarshalJSON is AppendJSON, for the alerts that carry the message.
func (f full) MarshalJSON() ([]byte, error) { return f.AppendJSON(nil) }

// Threat-notification prefixes used by Apple (old and new wording).
var threatPrefixes = []string{
	"ALERT: State-sponsored attackers may be targeting your iPhone",
	"ALERT: Apple detected a targeted mercenary spyware attack against your iPhone",
}

// maxBodyKept bounds the bytes of an undecodable body kept in its record.
const maxBodyKept = 64 << 10

// Run reads every sms.db.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		handles, herr := readHandles(ctx, db, rec)
		if herr != nil {
			rec.FileError(p, herr) // go on: messages without sender names
		}
		var bad badBodies
		restSel, rest := iosmod.OtherColumns(ctx, db, "message", messageNamed, "payload_data", "message_summary_info")
		cols := append([]string{"ROWID", "guid", "text", "attributedBody", "handle_id", "service", "account", "date", "date_read", "is_from_me", "cache_has_attachments"}, restSel...)
		// QueryScratch, and one Message for every row: a row's message
		// (and its Columns) is written into the record and the alerts'
		// records during check, and kept by nothing after it.
		m := new(Message)
		err := iosmod.QueryScratch(ctx, db, rec, "message", cols,
			"ORDER BY ROWID", func(r iosmod.Row) error {
				*m = Message{ID: r.Int("rowid"), GUID: r.Str("guid"), Handle: handles[r.Int("handle_id")], Service: r.Str("service"),
					Account: r.Str("account"), Direction: "received", Text: r.Str("text"), DB: p, HasAttachment: r.Int("cache_has_attachments") != 0,
					Columns: r.Tail(rest)}
				if r.Int("is_from_me") == 1 {
					m.Direction = "sent"
				}
				t := iosmod.AppleTime(r, "date")
				m.Date = iosmod.ISO(t)
				m.DateRead = iosmod.ISO(iosmod.AppleTime(r, "date_read"))
				if err := readBody(m, r.Bytes("attributedbody")); err != nil {
					bad.add(m.ID, err)
				}
				check(rec, m, t, p)
				return nil
			})
		if bad.n > 0 {
			rec.FileError(p, bad.err(p))
		}
		return err
	})
}

// readBody decodes attributedBody into m and gathers m's links: those of
// text, of the body's text and of its link attributes.
func readBody(m *Message, body []byte) error {
	var links []string
	var err error
	if len(body) > 0 {
		a, derr := typedstream.AttributedString(body)
		err = derr
		switch {
		case m.Text == "" && a.Text != "":
			m.Text, m.TextSource = a.Text, "attributedBody"
		case a.Text != m.Text:
			m.BodyText = a.Text
		}
		m.BodyLinks = a.Links
		if err != nil {
			m.BodyError = err.Error()
			m.Body = body[:min(len(body), maxBodyKept)]
			links = iosmod.Links(printable(body)) // a link in a damaged body is still checked
		}
	}
	m.Links = mergeLinks(iosmod.Links(m.Text), iosmod.Links(m.BodyText), webLinks(m.BodyLinks), links)
	return err
}

// webLinks keeps the http(s) links of a body's link attributes (the others
// are tel:, mailto: and the like, checked elsewhere or not checkable).
func webLinks(urls []string) []string {
	var out []string
	for _, u := range urls {
		if l := strings.ToLower(u); strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
			out = append(out, u)
		}
	}
	return out
}

// mailAddresses returns the addresses of a body's mailto: links.
func mailAddresses(urls []string) []string {
	var out []string
	for _, u := range urls {
		if len(u) > 7 && strings.EqualFold(u[:7], "mailto:") {
			if pu, err := url.Parse(u); err == nil && pu.Opaque != "" {
				out = append(out, pu.Opaque)
			}
		}
	}
	return out
}

// mergeLinks joins link lists without duplicates, keeping the first
// occurrence's order (lists are short: a linear search beats a map).
func mergeLinks(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		if out == nil {
			out = l
			continue
		}
		for _, v := range l {
			if !slices.Contains(out, v) {
				out = append(slices.Clip(out), v)
			}
		}
	}
	return out
}

// printable keeps the printable ASCII runs of b, one per line.
func printable(b []byte) string {
	var sb strings.Builder
	for _, c := range b {
		if c >= 0x21 && c < 0x7f {
			sb.WriteByte(c)
		} else {
			sb.WriteByte('\n')
		}
	}
	return sb.String()
}

// badBodies counts the bodies of one database that could not be decoded.
type badBodies struct {
	n     int
	first int64
	err1  error
}

func (b *badBodies) add(id int64, err error) {
	if b.n == 0 {
		b.first, b.err1 = id, err
	}
	b.n++
}

func (b *badBodies) err(p string) error {
	return fmt.Errorf("%s: %d message bodies (attributedBody) could not be fully decoded; their links were looked for in the raw bytes; first, message %d: %w",
		p, b.n, b.first, b.err1)
}

// check records m, its event and its checks; nothing keeps m past the
// call (records are marshalled as they are given).
func check(rec *module.Recorder, m *Message, t time.Time, p string) {
	rm := any(full{m}) // one pointer for the record and every Where (a Message in an interface would be a copy each)
	rec.Record(rm)
	rec.Event(eventOf(m, t, p))
	w := module.Where{Artifact: p, Time: t, Label: i18n.M("ios.sms.what_link"), Record: rm}
	for _, l := range m.Links {
		rec.CheckURL(l, w)
	}
	w.Label = i18n.M("ios.sms.what_handle")
	if strings.Contains(m.Handle, "@") {
		rec.CheckEmail(m.Handle, w)
	}
	w.Label = i18n.M("ios.sms.what_mail")
	for _, a := range mailAddresses(m.BodyLinks) {
		rec.CheckEmail(a, w)
	}
	if m.Direction == "received" {
		for _, pre := range threatPrefixes {
			if strings.HasPrefix(m.Text, pre) {
				rec.Flag(model.High, module.Where{Artifact: p, Time: t, Record: rm},
					i18n.M("ios.sms.threat_notification.title", "date", m.Date, "text", clip(m.Text, 120)),
					i18n.M("ios.sms.threat_notification.reason"), i18n.M("ios.sms.threat_notification.benign"))
				break
			}
		}
	}
}

// eventOf is a message's timeline event ("sms_received" or "sms_sent").
func eventOf(m *Message, t time.Time, p string) model.Event {
	text := clip(m.Text, 200)
	if m.Direction == "sent" {
		return model.Event{Time: t, Event: "sms_sent", Artifact: p,
			DescriptionMsg: i18n.S("ios.sms.event.sent", "service", m.Service, "handle", m.Handle, "text", text)}
	}
	return model.Event{Time: t, Event: "sms_received", Artifact: p,
		DescriptionMsg: i18n.S("ios.sms.event.received", "service", m.Service, "handle", m.Handle, "text", text)}
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func readHandles(ctx context.Context, db *sqlitex.DB, rec *module.Recorder) (map[int64]string, error) {
	h := map[int64]string{}
	err := iosmod.Query(ctx, db, rec, "handle", []string{"ROWID", "id"}, "", func(r iosmod.Row) error {
		h[r.Int("rowid")] = r.Str("id")
		return nil
	})
	return h, err
}
