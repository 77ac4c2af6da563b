package output

import (
	"encoding/json"
	"io"

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
	w     io.Writer
	enc   *json.Encoder
	buf   []byte
	sight sightingCache
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
	b, err := appendObservableLine(lw.buf[:0], l, &lw.sight)
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

// msgOmitZero appends a catalog message field unless it is the zero Msg.
func msgOmitZero(o *jsonenc.Object, k string, m i18n.Msg) {
	if !m.IsZero() {
		o.B = m.AppendJSON(jsonenc.Key(o.B, k))
	}
}

// appendEvent appends a timeline event's JSON.
func appendEvent(b []byte, e *model.Event) ([]byte, error) {
	o := jsonenc.OpenNoHTMLEscape(b)
	o.Time("timestamp", e.Time)
	o.String("module", e.Module)
	o.String("event", e.Event)
	o.String("description", e.Description)
	msgOmitZero(&o, "description_i18n", e.DescriptionMsg)
	o.StringOmitEmpty("artifact", e.Artifact)
	if e.Level != nil {
		o.String("alert_level", e.Level.String()) // its MarshalText
	}
	o.StringOmitEmpty("input", e.Input)
	return o.Close()
}

// appendObservableLine appends an observables line's JSON; c (nil: none)
// keeps the encoding of the last sighting's fixed fields.
func appendObservableLine(b []byte, l *ObservableLine, c *sightingCache) ([]byte, error) {
	o := jsonenc.OpenNoHTMLEscape(b)
	o.String("type", string(l.Type))
	o.String("value", l.Value)
	o.Int("count", int64(l.Count))
	// A line's time is mostly its one sighting's: formatted once, copied.
	first, firstEnd := 0, 0
	if !l.FirstSeen.IsZero() {
		o.B = jsonenc.Key(o.B, "first_seen")
		first = len(o.B)
		var err error
		if o.B, err = jsonenc.Time(o.B, l.FirstSeen); err != nil {
			if o.Err == nil { // as Object.Time: the first error
				o.Err = err
			}
		} else {
			firstEnd = len(o.B)
		}
	}
	o.B = jsonenc.Key(o.B, "seen")
	if l.Seen == nil {
		o.B = append(o.B, "null"...)
	} else {
		o.B = append(o.B, '[')
		for i := range l.Seen {
			if i > 0 {
				o.B = append(o.B, ',')
			}
			s := &l.Seen[i]
			o.B = c.appendPlace(o.B, s)
			o.Int("count", int64(s.Count))
			if firstEnd > 0 && s.FirstSeen == l.FirstSeen { // == : the same instant and location, formatted alike
				o.B = jsonenc.Key(o.B, "first_seen")
				o.B = append(o.B, o.B[first:firstEnd]...)
			} else {
				o.TimeOmitZero("first_seen", s.FirstSeen)
			}
			o.B = append(o.B, '}')
		}
		o.B = append(o.B, ']')
	}
	return o.Close()
}

// sightingCache is the encoding of a sighting's place and label (its
// object up to "count"), kept for the next sighting with the same ones:
// the values one module checked share them, line after line (100,000
// lines of a 50,000-file androidqf: two encodings).
type sightingCache struct {
	module, input, artifact, what, key string
	enc                                []byte // nil: nothing kept
}

// appendPlace appends s's opening brace, module, input, artifact, what and
// what_i18n, from the cache when they are the last ones's (a label with
// arguments is encoded each time).
func (c *sightingCache) appendPlace(b []byte, s *Sighting) []byte {
	if c == nil || len(s.WhatMsg.Args) > 0 {
		return appendPlace(b, s)
	}
	if c.enc == nil || c.module != s.Module || c.input != s.Input || c.artifact != s.Artifact || c.what != s.What || c.key != s.WhatMsg.Key {
		c.module, c.input, c.artifact, c.what, c.key = s.Module, s.Input, s.Artifact, s.What, s.WhatMsg.Key
		c.enc = appendPlace(c.enc[:0], s)
	}
	return append(b, c.enc...)
}

// appendPlace appends s's opening brace, module, input, artifact, what and
// what_i18n.
func appendPlace(b []byte, s *Sighting) []byte {
	o := jsonenc.OpenNoHTMLEscape(b)
	o.String("module", s.Module)
	o.StringOmitEmpty("input", s.Input)
	o.String("artifact", s.Artifact)
	o.StringOmitEmpty("what", s.What)
	msgOmitZero(&o, "what_i18n", s.WhatMsg)
	return o.B
}
