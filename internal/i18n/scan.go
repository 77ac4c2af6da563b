package i18n

import (
	"encoding/json"
	"unicode/utf8"
)

// parseShaped reads a catalog in the shape of the embedded ones (an object
// of "code", "name", "plural" and "messages", each message a string or an
// object of plural forms) without encoding/json's reflection: the English
// catalog is read at the first use of every scan, where json.Unmarshal
// took ~3 ms of a 0.1 s scan. ok is false for anything else (another key,
// a repeated key, a value of another kind, bad JSON), and parse then uses
// encoding/json, so that what a catalog gives never depends on this
// reader; TestParseShapedSameAsJSON holds it to json.Unmarshal.
func parseShaped(b []byte) (c *Catalog, ok bool) {
	r := &shapeReader{b: string(b)} // one copy: the strings are substrings of it
	c = &Catalog{}
	seen := map[string]bool{}
	ok = r.object(func(key string) bool {
		if seen[key] {
			return false
		}
		seen[key] = true
		var ok bool
		switch key {
		case "code":
			c.Code, ok = r.str()
		case "name":
			c.Name, ok = r.str()
		case "plural":
			c.Plural, ok = r.str()
		case "messages":
			c.Messages, ok = r.messages()
		}
		return ok
	})
	r.ws()
	if !ok || r.i != len(r.b) || c.Messages == nil {
		return nil, false
	}
	return c, true
}

// shapeReader reads JSON values from b at i.
type shapeReader struct {
	b string
	i int
}

func (r *shapeReader) ws() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\n' || r.b[r.i] == '\t' || r.b[r.i] == '\r') {
		r.i++
	}
}

// next skips white space and reports whether the next byte is c, taking it.
func (r *shapeReader) next(c byte) bool {
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// object reads an object, calling member after each key and its colon to
// read the value.
func (r *shapeReader) object(member func(key string) bool) bool {
	if !r.next('{') {
		return false
	}
	if r.next('}') {
		return true
	}
	for {
		k, ok := r.str()
		if !ok || !r.next(':') || !member(k) {
			return false
		}
		if r.next('}') {
			return true
		}
		if !r.next(',') {
			return false
		}
	}
}

// str reads a string: a substring of b when it needs no decoding (no
// escape, control character or invalid UTF-8), else json.Unmarshal's
// reading.
func (r *shapeReader) str() (string, bool) {
	if !r.next('"') {
		return "", false
	}
	start, plain := r.i, true
	for ; r.i < len(r.b); r.i++ {
		switch c := r.b[r.i]; {
		case c == '"':
			s := r.b[start:r.i]
			r.i++
			if plain && utf8.ValidString(s) {
				return s, true
			}
			var out string
			err := json.Unmarshal([]byte(r.b[start-1:r.i]), &out)
			return out, err == nil
		case c == '\\':
			plain = false
			r.i++ // the escaped byte is never the closing quote
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}

// messages reads the messages object.
func (r *shapeReader) messages() (map[string]Message, bool) {
	out := make(map[string]Message, 1024)
	ok := r.object(func(key string) bool {
		var m Message
		var ok bool
		if r.ws(); r.i < len(r.b) && r.b[r.i] == '"' {
			m.Other, ok = r.str()
		} else {
			ok = r.forms(&m)
		}
		out[key] = m
		return ok
	})
	return out, ok
}

// forms reads an object of plural forms.
func (r *shapeReader) forms(m *Message) bool {
	seen := map[string]bool{}
	return r.object(func(key string) bool {
		if seen[key] {
			return false
		}
		seen[key] = true
		var ok bool
		switch key {
		case "one":
			m.One, ok = r.str()
		case "few":
			m.Few, ok = r.str()
		case "many":
			m.Many, ok = r.str()
		case "other":
			m.Other, ok = r.str()
		}
		return ok
	})
}
