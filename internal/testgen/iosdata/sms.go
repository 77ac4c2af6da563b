package iosdata

import (
	"fmt"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// SMS paths.
const (
	SMSDomain = "HomeDomain"
	SMSRel    = "Library/SMS/sms.db"
	SMSPath   = "private/var/mobile/Library/SMS/sms.db"
)

// SMSSchema is the part of the iOS 14–17 sms.db schema the modules read
// (the real tables have more columns).
var SMSSchema = []string{
	`CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT, person_centric_id TEXT, UNIQUE (id, service) )`,
	`CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, replace INTEGER DEFAULT 0, service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0, type INTEGER DEFAULT 0, service TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER, date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0, is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT 0, is_delayed INTEGER DEFAULT 0, is_auto_reply INTEGER DEFAULT 0, is_prepared INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0, is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0, has_dd_results INTEGER DEFAULT 0, is_service_message INTEGER DEFAULT 0, is_forward INTEGER DEFAULT 0, was_downgraded INTEGER DEFAULT 0, is_archive INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0, cache_roomnames TEXT, was_data_detected INTEGER DEFAULT 0, was_deduplicated INTEGER DEFAULT 0, is_audio_message INTEGER DEFAULT 0, is_played INTEGER DEFAULT 0, date_played INTEGER, item_type INTEGER DEFAULT 0, other_handle INTEGER DEFAULT 0, group_title TEXT, group_action_type INTEGER DEFAULT 0, share_status INTEGER DEFAULT 0, share_direction INTEGER DEFAULT 0, is_expirable INTEGER DEFAULT 0, expire_state INTEGER DEFAULT 0, message_action_type INTEGER DEFAULT 0, message_source INTEGER DEFAULT 0, associated_message_guid TEXT, associated_message_type INTEGER DEFAULT 0, balloon_bundle_id TEXT, payload_data BLOB, expressive_send_style_id TEXT, associated_message_range_location INTEGER DEFAULT 0, associated_message_range_length INTEGER DEFAULT 0, time_expressive_send_played INTEGER DEFAULT 0, message_summary_info BLOB, ck_sync_state INTEGER DEFAULT 0, ck_record_id TEXT, ck_record_change_tag TEXT, destination_caller_id TEXT, sr_ck_sync_state INTEGER DEFAULT 0, sr_ck_record_id TEXT, sr_ck_record_change_tag TEXT, is_corrupt INTEGER DEFAULT 0, reply_to_guid TEXT DEFAULT NULL, sort_id INTEGER DEFAULT 0, is_spam INTEGER DEFAULT 0, has_unseen_mention INTEGER DEFAULT 0, thread_originator_guid TEXT DEFAULT NULL, thread_originator_part TEXT DEFAULT NULL)`,
	`CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER, state INTEGER, account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT, room_name TEXT, account_login TEXT, is_archived INTEGER DEFAULT 0, last_addressed_handle TEXT, display_name TEXT, group_id TEXT, is_filtered INTEGER DEFAULT 0, successful_query INTEGER)`,
	`CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE, message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER DEFAULT 0, PRIMARY KEY (chat_id, message_id))`,
	`CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, created_date INTEGER DEFAULT 0, start_date INTEGER DEFAULT 0, filename TEXT, uti TEXT, mime_type TEXT, transfer_state INTEGER DEFAULT 0, is_outgoing INTEGER DEFAULT 0, user_info BLOB, transfer_name TEXT, total_bytes INTEGER DEFAULT 0, is_sticker INTEGER DEFAULT 0, sticker_user_info BLOB, attribution_info BLOB, hide_attachment INTEGER DEFAULT 0, ck_sync_state INTEGER DEFAULT 0, ck_server_change_token_blob BLOB, ck_record_id TEXT, original_guid TEXT UNIQUE NOT NULL, sr_ck_sync_state INTEGER DEFAULT 0, sr_ck_server_change_token_blob BLOB, sr_ck_record_id TEXT, is_commsafety_sensitive INTEGER DEFAULT 0)`,
	`CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE, UNIQUE(message_id, attachment_id))`,
}

// ThreatNotificationText starts Apple's threat notification SMS/iMessage.
const ThreatNotificationText = "ALERT: Apple detected a targeted mercenary spyware attack against your iPhone."

// SMSMessage is one planted message. As on iOS, its words are also stored
// in attributedBody (an archived NSAttributedString, written by
// iosgen.MessageBody).
type SMSMessage struct {
	Handle  string
	Service string // "SMS" or "iMessage"
	Text    string
	At      time.Time
	FromMe  bool
	// BodyOnly leaves text NULL: the words are only in attributedBody, as
	// recent iOS versions store them.
	BodyOnly bool
	// Link is a URL attached to the words as an attribute (shown as the
	// words, opened as the URL).
	Link string
	// Body, when set, is stored as attributedBody instead (a damaged one,
	// say).
	Body []byte
	// Payload, when set, is stored as payload_data and
	// message_summary_info (blobs MVT keeps in base64).
	Payload []byte
}

// Links planted in attributedBody only: in the words of a body-only
// message, and behind words that do not show it.
const (
	PegasusBodyHost   = PegasusSubdomain2
	PegasusHiddenHost = "tookcheckout.com" // Pegasus (Amnesty, 2021)
	PegasusBodyURL    = "https://" + PegasusBodyHost + "/r/5b1e"
	PegasusHiddenURL  = "https://" + PegasusHiddenHost + "/album/2023"
)

// SMSAttachment is one planted attachment, joined to message MessageIdx (1-based).
type SMSAttachment struct {
	MessageIdx int
	Filename   string
	MIME       string
	Outgoing   bool
	At         time.Time
}

// SMSMessages are the planted messages of the default fixture.
func SMSMessages() []SMSMessage {
	return []SMSMessage{
		{Handle: "+41790000001", Service: "SMS", Text: "Your parcel is waiting: " + PegasusURL + " track now", At: At(0)},
		{Handle: "+41790000001", Service: "SMS", Text: "ok thanks, see https://" + LookalikeDomain + "/p and www." + LookalikeDomain2, At: At(2 * time.Minute), FromMe: true},
		{Handle: "alerts@apple.com", Service: "iMessage", Text: ThreatNotificationText + " You may be a target.", At: At(time.Hour)},
		{Handle: TriangulationMail, Service: "iMessage", At: At(2 * time.Hour)},
		{Handle: "+41790000002", Service: "iMessage", Text: "dinner at 8? http://" + QuaDreamDomain + "/news", At: At(3 * time.Hour)},
		{Handle: "+41790000002", Service: "iMessage", Text: "Quoting ALERT: State-sponsored attackers... not a real alert", At: At(4 * time.Hour)},
		// words only in attributedBody (text NULL): a Pegasus link, a look-alike
		{Handle: "+41790000003", Service: "iMessage", Text: "Your parcel is held, reschedule: " + PegasusBodyURL, At: At(5 * time.Hour), BodyOnly: true},
		{Handle: "+41790000003", Service: "iMessage", Text: "old news https://" + LookalikeDomain + "/body", At: At(6 * time.Hour), BodyOnly: true},
		// a Pegasus link behind words that do not show it
		{Handle: "+41790000003", Service: "iMessage", Text: "Photos from Saturday", Link: PegasusHiddenURL, At: At(7 * time.Hour)},
	}
}

// SMSAttachments are the planted attachments of the default fixture.
func SMSAttachments() []SMSAttachment {
	return []SMSAttachment{
		{4, "/var/tmp/com.apple.messages/5CD0B1A4-7F1E-4F0E-9C7B-5A1F1B6B8E6A/Attachment.gif-1", "image/gif", false, At(2 * time.Hour)},
		{5, "~/Library/SMS/Attachments/3f/15/AB12/IMG_0042.HEIC", "image/heic", false, At(3 * time.Hour)},
		{2, "/var/tmp/com.apple.messages/outgoing-1", "image/png", true, At(2 * time.Minute)},
	}
}

// SMS returns sms.db with the planted messages and attachments plus filler
// ordinary messages.
func SMS(filler int) []iosgen.File {
	return SMSFrom(SMSMessages(), SMSAttachments(), filler, SMSSchema)
}

// SMSFrom builds sms.db from messages, attachments and filler rows with a
// given schema (tests pass an older schema to check drift).
func SMSFrom(msgs []SMSMessage, atts []SMSAttachment, filler int, schema []string) []iosgen.File {
	var st []iosgen.Stmt
	handles := map[string]int{}
	hasBody := strings.Contains(strings.Join(schema, "\n"), "attributedBody")
	handle := func(h, svc string) int {
		if id, ok := handles[h+svc]; ok {
			return id
		}
		id := len(handles) + 1
		handles[h+svc] = id
		st = append(st, iosgen.Ins("handle", "ROWID, id, country, service, uncanonicalized_id", id, h, "ch", svc, h))
		return id
	}
	add := func(i int, m SMSMessage) {
		h := handle(m.Handle, m.Service)
		fromMe := 0
		if m.FromMe {
			fromMe = 1
		}
		var text any = m.Text
		if m.Text == "" || m.BodyOnly {
			text = nil
		}
		var body any
		switch {
		case m.Body != nil:
			body = m.Body
		case m.Text != "" || m.Link != "":
			body = iosgen.MessageBody(m.Text, m.Link)
		}
		ns := AppleNanos(m.At)
		if !hasBody { // an old schema: the words in text only
			if m.Text != "" {
				text = m.Text
			}
			st = append(st, iosgen.Ins("message", "ROWID, guid, text, handle_id, service, account, date, date_read, date_delivered, is_from_me, is_read, is_delivered, is_finished",
				i, fmt.Sprintf("%08X-0000-4000-8000-%012X", i, i), text, h, m.Service, "e:owner@example.org", ns, ns+int64(30*time.Second), ns, fromMe, 1, 1, 1))
			return
		}
		st = append(st, iosgen.Ins("message", "ROWID, guid, text, attributedBody, handle_id, service, account, date, date_read, date_delivered, is_from_me, is_read, is_delivered, is_finished",
			i, fmt.Sprintf("%08X-0000-4000-8000-%012X", i, i), text, body, h, m.Service, "e:owner@example.org", ns, ns+int64(30*time.Second), ns, fromMe, 1, 1, 1))
		if m.Payload != nil {
			st = append(st, iosgen.Stmt{SQL: "UPDATE message SET payload_data = ?, message_summary_info = ? WHERE ROWID = ?", Args: []any{m.Payload, m.Payload, i}})
		}
	}
	for i, m := range msgs {
		add(i+1, m)
	}
	for j := 0; j < filler; j++ {
		i := len(msgs) + j + 1
		add(i, SMSMessage{Handle: fmt.Sprintf("+4179%07d", j%500), Service: "iMessage",
			Text: fmt.Sprintf("message %d, see https://www.example.org/a/%d and https://news.example.com/x", j, j%97),
			At:   At(time.Duration(j) * time.Second), FromMe: j%3 == 0, BodyOnly: j%5 == 0})
	}
	for k, a := range atts {
		id := k + 1
		out := 0
		if a.Outgoing {
			out = 1
		}
		guid := fmt.Sprintf("at_%d_%08X", id, id)
		st = append(st, iosgen.Ins("attachment", "ROWID, guid, created_date, start_date, filename, mime_type, transfer_state, is_outgoing, transfer_name, total_bytes, original_guid",
			id, guid, int64(AppleSec(a.At)), 0, a.Filename, a.MIME, 5, out, lastElem(a.Filename), 48211, guid))
		st = append(st, iosgen.Ins("message_attachment_join", "message_id, attachment_id", a.MessageIdx, id))
	}
	db := BuildDB(schema, st)
	return []iosgen.File{{Domain: SMSDomain, RelativePath: SMSRel, Path: SMSPath, Data: db}}
}

func lastElem(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
