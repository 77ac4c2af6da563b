package sms

import (
	"context"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Attachments reads the attachments of sms.db.
type Attachments struct{ module.Base }

// NewAttachments returns the module.
func NewAttachments() Attachments { return Attachments{module.NewBase("sms_attachments", 2, Spec)} }

// Attachment is one attachment record.
type Attachment struct {
	ID          int64  `json:"id"`
	GUID        string `json:"guid"`
	Filename    string `json:"filename"`
	MIMEType    string `json:"mime_type,omitempty"`
	TransferNm  string `json:"transfer_name,omitempty"`
	TotalBytes  int64  `json:"total_bytes"`
	Direction   string `json:"direction"`
	HasUserInfo bool   `json:"has_user_info"`
	MessageID   int64  `json:"message_id,omitempty"`
	Service     string `json:"service,omitempty"`
	Handle      string `json:"handle,omitempty"`
	Created     string `json:"created"`
	DB          string `json:"db"`
	// StartDate is start_date as MVT writes it: ISO text, "" when 0.
	StartDate string `json:"start_date"`
	// Columns are the attachment table's other columns, under their own
	// names (MVT keeps attachment.*).
	Columns iosmod.Columns `json:"-"`
}

// MarshalJSON writes the attachment's fields, then its other columns.
func (a Attachment) MarshalJSON() ([]byte, error) {
	type plain Attachment
	return iosmod.MarshalWith(plain(a), a.Columns)
}

// attachmentNamed are the attachment columns an Attachment holds under its
// own names (start_date as ISO text), so not among its Columns.
var attachmentNamed = []string{"ROWID", "guid", "filename", "mime_type", "transfer_name", "total_bytes", "start_date"}

// attachmentBase64 are the blob columns MVT writes in base64.
var attachmentBase64 = []string{"user_info", "sticker_user_info", "attribution_info", "ck_server_change_token_blob", "sr_ck_server_change_token_blob"}

type msgInfo struct {
	service string
	handle  int64
}

// Run reads attachments, joined table by table to their message and sender
// so that one damaged table does not hide the others.
func (Attachments) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		handles, err := readHandles(ctx, db, rec)
		if err != nil {
			rec.FileError(p, err)
		}
		join := map[int64]int64{}
		if err := iosmod.Query(ctx, db, rec, "message_attachment_join", []string{"message_id", "attachment_id"}, "", func(r iosmod.Row) error {
			join[r.Int("attachment_id")] = r.Int("message_id")
			return nil
		}); err != nil {
			rec.FileError(p, err)
		}
		msgs := map[int64]msgInfo{}
		if len(join) > 0 {
			if err := iosmod.Query(ctx, db, rec, "message", []string{"ROWID", "service", "handle_id"}, "WHERE cache_has_attachments != 0 OR ROWID IN (SELECT message_id FROM message_attachment_join)", func(r iosmod.Row) error {
				msgs[r.Int("rowid")] = msgInfo{r.Str("service"), r.Int("handle_id")}
				return nil
			}); err != nil {
				rec.FileError(p, err)
			}
		}
		restSel, rest := iosmod.OtherColumns(ctx, db, "attachment", attachmentNamed, attachmentBase64...)
		return iosmod.Query(ctx, db, rec, "attachment",
			append([]string{"ROWID", "guid", "created_date", "filename", "mime_type", "transfer_name", "total_bytes", "is_outgoing", "user_info", "?start_date"}, restSel...),
			"ORDER BY ROWID", func(r iosmod.Row) error {
				a := Attachment{ID: r.Int("rowid"), GUID: r.Str("guid"), Filename: r.Str("filename"), MIMEType: r.Str("mime_type"),
					TransferNm: r.Str("transfer_name"), TotalBytes: r.Int("total_bytes"), Direction: "received",
					HasUserInfo: !r.Null("user_info"), DB: p, StartDate: iosmod.ISO(iosmod.AppleTime(r, "start_date")), Columns: r.Tail(rest)}
				if r.Int("is_outgoing") == 1 {
					a.Direction = "sent"
				}
				if mid, ok := join[a.ID]; ok {
					a.MessageID = mid
					a.Service = msgs[mid].service
					a.Handle = handles[msgs[mid].handle]
				}
				t := iosmod.AppleTime(r, "created_date")
				a.Created = iosmod.ISO(t)
				checkAttachment(rec, a, p, t)
				return nil
			})
	})
}

func checkAttachment(rec *module.Recorder, a Attachment, p string, t time.Time) {
	rec.Record(a)
	iosmod.Event(rec, t, "sms_attachment", i18n.M("ios.sms.event.attachment_"+a.Direction, "file", a.Filename, "type", a.MIMEType, "handle", a.Handle), p)
	w := module.Where{Artifact: p, Time: t, Label: i18n.M("ios.sms.what_attachment"), Record: a}
	rec.CheckPath(a.Filename, w)
	if strings.HasPrefix(a.Filename, "/var/tmp/") && strings.HasSuffix(a.Filename, "-1") && a.Direction == "received" {
		rec.Flag(model.Medium, w, i18n.M("ios.sms.tmp_attachment.title", "file", a.Filename, "time", a.Created),
			i18n.M("ios.sms.tmp_attachment.reason"), i18n.M("ios.sms.tmp_attachment.benign"))
	}
}
