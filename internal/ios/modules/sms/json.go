package sms

import "github.com/spyscan/spyscan/internal/jsonenc"

// AppendJSON appends the message as json.Marshal writes it, without
// reflection (a backup holds hundreds of thousands of messages);
// TestMessageJSONAsMarshal holds it to json.Marshal.
func (m Message) AppendJSON(dst []byte) ([]byte, error) {
	o := jsonenc.Open(dst)
	o.Int("id", m.ID)
	o.String("guid", m.GUID)
	o.String("handle", m.Handle)
	o.String("service", m.Service)
	o.StringOmitEmpty("account", m.Account)
	o.String("direction", m.Direction)
	o.String("text", m.Text)
	o.StringOmitEmpty("text_source", m.TextSource)
	o.StringOmitEmpty("attributed_body_text", m.BodyText)
	o.StringsOmitEmpty("attributed_body_links", m.BodyLinks)
	o.StringOmitEmpty("attributed_body_error", m.BodyError)
	o.BytesOmitEmpty("attributed_body", m.Body)
	o.StringsOmitEmpty("links", m.Links)
	o.String("date", m.Date)
	o.StringOmitEmpty("date_read", m.DateRead)
	o.BoolOmitEmpty("has_attachments", m.HasAttachment)
	o.String("db", m.DB)
	return o.Close()
}
