// Package sms owns the iOS Messages database (sms.db): SMS and iMessage
// messages with their links, and their attachments. It checks links, sender
// handles (emails) and attachment paths against the indicators and flags
// Apple's threat notifications and iMessage attachments received under
// /var/tmp with a "-1" suffix (a trace of zero-click exploit delivery).
package sms

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
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
func New() Module { return Module{module.NewBase("sms", 1, Spec)} }

// Message is one message record.
type Message struct {
	ID            int64    `json:"id"`
	GUID          string   `json:"guid"`
	Handle        string   `json:"handle"`
	Service       string   `json:"service"`
	Account       string   `json:"account,omitempty"`
	Direction     string   `json:"direction"`
	Text          string   `json:"text"`
	Links         []string `json:"links,omitempty"`
	Date          string   `json:"date"`
	DateRead      string   `json:"date_read,omitempty"`
	HasAttachment bool     `json:"has_attachments,omitempty"`
	DB            string   `json:"db"`
}

// Threat-notification prefixes used by Apple (old and new wording).
var threatPrefixes = []string{
	"ALERT: State-sponsored attackers may be targeting your iPhone",
	"ALERT: Apple detected a targeted mercenary spyware attack against your iPhone",
}

// Run reads every sms.db.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		handles, herr := readHandles(ctx, db, rec)
		if herr != nil {
			rec.FileError(p, herr) // go on: messages without sender names
		}
		return iosmod.Query(ctx, db, rec, "message",
			[]string{"ROWID", "guid", "text", "handle_id", "service", "account", "date", "date_read", "is_from_me", "cache_has_attachments"},
			"ORDER BY ROWID", func(r iosmod.Row) error {
				m := Message{ID: r.Int("rowid"), GUID: r.Str("guid"), Handle: handles[r.Int("handle_id")], Service: r.Str("service"),
					Account: r.Str("account"), Direction: "received", Text: r.Str("text"), DB: p, HasAttachment: r.Int("cache_has_attachments") != 0}
				if r.Int("is_from_me") == 1 {
					m.Direction = "sent"
				}
				t := iosmod.AppleTime(r, "date")
				m.Date = iosmod.ISO(t)
				m.DateRead = iosmod.ISO(iosmod.AppleTime(r, "date_read"))
				m.Links = iosmod.Links(m.Text)
				check(rec, m, t, p)
				return nil
			})
	})
}

func check(rec *module.Recorder, m Message, t time.Time, p string) {
	rec.Record(m)
	desc := fmt.Sprintf("%s %s message %s %s: %s", m.Direction, m.Service, dirWord(m.Direction), m.Handle, clip(m.Text, 200))
	iosmod.Event(rec, t, "sms_"+m.Direction, desc, p)
	w := module.Where{Artifact: p, Time: t, What: "Link in a message", Record: m}
	for _, l := range m.Links {
		rec.CheckURL(l, w)
	}
	if strings.Contains(m.Handle, "@") {
		rec.CheckEmail(m.Handle, module.Where{Artifact: p, Time: t, What: "Message sender/recipient", Record: m})
	}
	if m.Direction == "received" {
		for _, pre := range threatPrefixes {
			if strings.HasPrefix(m.Text, pre) {
				rec.Heuristic(model.High, module.Where{Artifact: p, Time: t, Record: m},
					fmt.Sprintf("Apple threat notification received on %s: %q", m.Date, clip(m.Text, 120)),
					"Apple sends this text to users it believes were targeted by mercenary spyware.",
					"The message may be a scam imitating Apple, or a forwarded copy; confirm on appleid.apple.com and in the Apple email sent at the same time.")
				break
			}
		}
	}
}

func dirWord(d string) string {
	if d == "sent" {
		return "to"
	}
	return "from"
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
