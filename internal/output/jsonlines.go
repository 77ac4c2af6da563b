package output

import (
	"encoding/json"
	"io"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/jsonenc"
	"github.com/spyscan/spyscan/internal/model"
)

// The timeline and observables JSON lines are written without reflection:
// a large scan writes millions of them. Each line is byte for byte what a
// json.Encoder with SetEscapeHTML(false) writes (TestJSONLinesAsEncoder
// fills every field through reflection and compares); a value the encoder
// refuses (a time outside RFC 3339) goes through the encoder, for its error.

// lineWriter writes JSON lines through one reused buffer.
type lineWriter struct {
	w   io.Writer
	enc *json.Encoder
	buf []byte
}

func newLineWriter(w io.Writer) *lineWriter {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &lineWriter{w: w, enc: enc}
}

// event writes a timeline event's line.
func (lw *lineWriter) event(e *model.Event) error {
	b, err := appendEvent(lw.buf[:0], e)
	return lw.line(b, err, e)
}

// observables writes an observables line.
func (lw *lineWriter) observables(l *ObservableLine) error {
	b, err := appendObservableLine(lw.buf[:0], l)
	return lw.line(b, err, l)
}

// line writes b, or v through the encoder when appending it failed.
func (lw *lineWriter) line(b []byte, err error, v any) error {
	if err != nil {
		return lw.enc.Encode(v)
	}
	lw.buf = append(b, '\n')
	_, err = lw.w.Write(lw.buf)
	return err
}

type jsonObj struct {
	b   []byte
	err error
}

func (o *jsonObj) str(k, v string) { o.b = jsonenc.StringNoHTMLEscape(jsonenc.Key(o.b, k), v) }
func (o *jsonObj) strOmit(k, v string) {
	if v != "" {
		o.str(k, v)
	}
}
func (o *jsonObj) int(k string, v int) { o.b = jsonenc.Int(jsonenc.Key(o.b, k), int64(v)) }
func (o *jsonObj) msgOmitZero(k string, m i18n.Msg) {
	if !m.IsZero() {
		o.b = m.AppendJSON(jsonenc.Key(o.b, k))
	}
}
func (o *jsonObj) time(k string, t time.Time) {
	var err error
	if o.b, err = jsonenc.Time(jsonenc.Key(o.b, k), t); err != nil && o.err == nil {
		o.err = err
	}
}
func (o *jsonObj) timeOmitZero(k string, t time.Time) {
	if !t.IsZero() {
		o.time(k, t)
	}
}

// appendEvent appends a timeline event's JSON.
func appendEvent(b []byte, e *model.Event) ([]byte, error) {
	o := jsonObj{b: append(b, '{')}
	o.time("timestamp", e.Time)
	o.str("module", e.Module)
	o.str("event", e.Event)
	o.str("description", e.Description)
	o.msgOmitZero("description_i18n", e.DescriptionMsg)
	o.strOmit("artifact", e.Artifact)
	if e.Level != nil {
		o.str("alert_level", e.Level.String()) // its MarshalText
	}
	o.strOmit("input", e.Input)
	return append(o.b, '}'), o.err
}

// appendObservableLine appends an observables line's JSON.
func appendObservableLine(b []byte, l *ObservableLine) ([]byte, error) {
	o := jsonObj{b: append(b, '{')}
	o.str("type", string(l.Type))
	o.str("value", l.Value)
	o.int("count", l.Count)
	o.timeOmitZero("first_seen", l.FirstSeen)
	o.b = jsonenc.Key(o.b, "seen")
	if l.Seen == nil {
		o.b = append(o.b, "null"...)
	} else {
		o.b = append(o.b, '[')
		for i := range l.Seen {
			if i > 0 {
				o.b = append(o.b, ',')
			}
			s := &l.Seen[i]
			o.b = append(o.b, '{')
			o.str("module", s.Module)
			o.strOmit("input", s.Input)
			o.str("artifact", s.Artifact)
			o.strOmit("what", s.What)
			o.msgOmitZero("what_i18n", s.WhatMsg)
			o.int("count", s.Count)
			o.timeOmitZero("first_seen", s.FirstSeen)
			o.b = append(o.b, '}')
		}
		o.b = append(o.b, ']')
	}
	return append(o.b, '}'), o.err
}
