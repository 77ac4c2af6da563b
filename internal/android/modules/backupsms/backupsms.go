// Package backupsms owns the backup SMS module: the SMS and MMS backups of
// the telephony provider inside a backup.ab
// (apps/com.android.providers.telephony/d_f/*_sms_backup and *_mms_backup,
// zlib-compressed JSON lists), on its own or nested in an androidqf
// acquisition (under "backup/"). Every link in a message body is checked
// against the indicators; each message is a record and a timeline event.
package backupsms

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/layout"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "backup_sms"

// maxInflated caps one decompressed backup file.
const maxInflated = 512 << 20

// telephonyDir is where the telephony provider's backups live in the tar.
const telephonyDir = "apps/com.android.providers.telephony/d_f"

// Module is the backup SMS module.
type Module struct{ module.Base }

// New returns the module: it reads the acquisitions that hold an Android
// backup (backup.ab, or the one inside an androidqf).
func New() Module {
	return Module{module.NewBase(Name, 2, module.AppliesFunc(func(k acquisition.Kind) bool { return len(layout.BackupRoots(k)) > 0 }))}
}

// Message is one SMS or MMS as recorded.
type Message struct {
	Kind      string    `json:"kind"` // "sms" or "mms"
	Time      time.Time `json:"timestamp,omitzero"`
	Address   string    `json:"address,omitempty"`
	Direction string    `json:"direction,omitempty"`
	Body      string    `json:"body"`
	Links     []string  `json:"links,omitempty"`
	File      string    `json:"file"`
	// Fields are the backup entry's other fields, kept under their own
	// names with their JSON values as they are (MVT keeps every field of
	// the entry), in name order.
	Fields []Field `json:"-"`
}

// Field is one field of a backup entry.
type Field struct {
	Name  string
	Value json.RawMessage
}

// ownKeys are the keys Message writes itself (a backup entry's field of
// the same name is not repeated); mms_body is MMS's body.
var ownKeys = map[string]bool{"kind": true, "timestamp": true, "address": true, "direction": true, "body": true, "mms_body": true, "links": true, "file": true}

// MarshalJSON writes the message's fields, then the entry's other fields.
func (m Message) MarshalJSON() ([]byte, error) {
	type plain Message
	b, err := json.Marshal(plain(m))
	if err != nil || len(m.Fields) == 0 {
		return b, err
	}
	b = b[:len(b)-1]
	for _, f := range m.Fields {
		k, _ := json.Marshal(f.Name)
		b = append(append(append(append(b, ','), k...), ':'), f.Value...)
	}
	return append(b, '}'), nil
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	var files []string
	for _, root := range layout.BackupRoots(in.Acq.Kind) {
		for _, pat := range []string{"*_sms_backup", "*_mms_backup"} {
			ms, _ := fs.Glob(in.Acq.FS, layout.Join(root, telephonyDir+"/"+pat))
			files = append(files, ms...)
		}
	}
	if len(files) == 0 {
		return module.ErrNotFound
	}
	sort.Strings(files)
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec.File(f)
		if err := readFile(ctx, in.Acq.FS, f, rec); err != nil {
			rec.FileError(f, err)
		}
	}
	return nil
}

func readFile(ctx context.Context, fsys fs.FS, name string, rec *module.Recorder) error {
	f, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	zr, err := zlib.NewReader(f)
	if err != nil {
		return fmt.Errorf("%s: not zlib-compressed: %w", name, err)
	}
	dec := json.NewDecoder(&capReader{r: zr, left: maxInflated})
	if t, err := dec.Token(); err != nil || t != json.Delim('[') {
		return fmt.Errorf("%s: not a JSON list of messages", name)
	}
	mms := strings.HasSuffix(name, "_mms_backup")
	for dec.More() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("%s: malformed message: %w", name, err)
		}
		handle(rec, name, message(raw, mms, name))
	}
	return nil
}

func handle(rec *module.Recorder, file string, m Message) {
	rec.Record(m)
	w := module.Where{Artifact: file, Time: m.Time, Label: i18n.M("android.what.link_sms"), Record: m}
	if strings.EqualFold(m.Kind, "mms") {
		w.Label = i18n.M("android.what.link_mms")
	}
	for _, l := range m.Links {
		rec.CheckURL(l, w)
	}
	if !m.Time.IsZero() {
		desc := i18n.M("android.event.sms", "kind", strings.ToUpper(m.Kind), "direction", directionMsg(m.Direction),
			"address", m.Address, "body", strings.Join(strings.Fields(clip(m.Body, 200)), " "))
		rec.Event(model.Event{Time: m.Time, Event: m.Kind, DescriptionMsg: desc, Artifact: file})
	}
}

func message(raw map[string]json.RawMessage, mms bool, file string) Message {
	m := Message{Kind: "sms", File: file, Address: str(raw["address"]), Body: str(raw["body"]), Fields: otherFields(raw)}
	date := str(raw["date"])
	if mms {
		m.Kind, m.Body = "mms", str(raw["mms_body"])
		if m.Address == "" {
			var rs []any
			if json.Unmarshal(raw["recipients"], &rs) == nil {
				var a []string
				for _, r := range rs {
					a = append(a, strOf(r))
				}
				m.Address = strings.Join(a, ",")
			}
		}
		if n, err := strconv.ParseInt(date, 10, 64); err == nil && n > 0 {
			m.Time = time.Unix(n, 0).UTC()
		}
		m.Direction = direction(str(raw["msg_box"]))
	} else {
		if n, err := strconv.ParseInt(date, 10, 64); err == nil && n > 0 {
			m.Time = model.FromUnixMillis(n)
		}
		m.Direction = direction(str(raw["type"]))
	}
	m.Links = Links(m.Body)
	return m
}

// directionMsg translates a direction as direction writes it.
func directionMsg(d string) i18n.Msg {
	switch d {
	case "received from":
		return i18n.M("android.sms.received_from")
	case "sent to":
		return i18n.M("android.sms.sent_to")
	case "draft to":
		return i18n.M("android.sms.draft_to")
	case "outgoing to":
		return i18n.M("android.sms.outgoing_to")
	}
	return i18n.M("android.sms.with")
}

// direction names Android's message box / type codes.
func direction(code string) string {
	switch code {
	case "1":
		return "received from"
	case "2":
		return "sent to"
	case "3":
		return "draft to"
	case "4", "5", "6":
		return "outgoing to"
	}
	return "with"
}

// otherFields returns the entry's fields Message does not write itself,
// in name order.
func otherFields(raw map[string]json.RawMessage) []Field {
	var out []Field
	for k, v := range raw {
		if ownKeys[k] {
			continue
		}
		var c bytes.Buffer // one line: the value as the backup has it, without its layout
		if json.Compact(&c, v) == nil {
			v = c.Bytes()
		}
		out = append(out, Field{k, v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// str returns a JSON value as text: a string as it is, a number as
// written, nothing for null or an absent field.
func str(raw json.RawMessage) string {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return ""
	}
	return strOf(v)
}

func strOf(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

var linkRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]{}]+`) })

// Links returns the URLs in a message body (http, https and bare "www."),
// without trailing punctuation, in order, without duplicates.
func Links(body string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range linkRE().FindAllString(body, -1) {
		l = strings.TrimRight(l, ".,;:!?")
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

type capReader struct {
	r    io.Reader
	left int64
}

var errTooBig = errors.New("inflates beyond the size limit")

func (c *capReader) Read(p []byte) (int, error) {
	if c.left <= 0 {
		return 0, errTooBig
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
