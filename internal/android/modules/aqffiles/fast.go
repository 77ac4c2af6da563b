package aqffiles

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxObject bounds one files.json entry.
const MaxObject = 1 << 20

// objects splits a stream of JSON objects (a top-level array of objects,
// or objects one after the other) into the bytes of each object. It only
// tracks strings and nesting; the objects are validated when parsed.
type objects struct {
	br    *bufio.Reader
	buf   []byte
	array bool
	done  bool
}

var errTooLarge = fmt.Errorf("entry larger than %d bytes", MaxObject)

// next returns the next object's bytes (valid until the next call), or
// io.EOF at a clean end.
func (o *objects) next() ([]byte, error) {
	if o.done {
		return nil, io.EOF
	}
	// Skip to the next '{', accepting the array's punctuation.
	for {
		c, err := o.br.ReadByte()
		if err == io.EOF {
			if o.array {
				return nil, io.ErrUnexpectedEOF
			}
			return nil, io.EOF
		}
		if err != nil {
			return nil, err
		}
		switch {
		case c == ' ' || c == '\n' || c == '\r' || c == '\t':
			continue
		case c == ',' && o.array:
			continue
		case c == ']' && o.array:
			o.done = true
			return nil, io.EOF
		case c == '{':
		default:
			return nil, fmt.Errorf("unexpected %q between entries", c)
		}
		break
	}
	o.buf = append(o.buf[:0], '{')
	depth, inStr, esc := 1, false, false
	for depth > 0 {
		c, err := o.br.ReadByte()
		if err == io.EOF {
			return nil, io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, err
		}
		if len(o.buf) >= MaxObject {
			return nil, errTooLarge
		}
		o.buf = append(o.buf, c)
		switch {
		case esc:
			esc = false
		case inStr:
			if c == '\\' {
				esc = true
			} else if c == '"' {
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			depth--
		}
	}
	return o.buf, nil
}

// errSlow means the fast parser cannot decide: use encoding/json.
var errSlow = errors.New("not a flat object")

// parseObject fills r from one object, exactly as json.Unmarshal would. It
// takes a fast path for flat objects of plain strings and integers and
// falls back to encoding/json for anything else (escapes, nested values,
// mistyped values, odd keys).
func parseObject(b []byte, r *raw) error {
	var fast raw
	if err := parseFlat(b, &fast); err == nil {
		*r = fast
		return nil
	}
	*r = raw{}
	return json.Unmarshal(b, r)
}

func parseFlat(b []byte, r *raw) error {
	p := flat{b: b}
	p.ws()
	if !p.eat('{') {
		return errSlow
	}
	p.ws()
	if p.eat('}') {
		return p.end()
	}
	for {
		p.ws()
		key, ok := p.str()
		if !ok {
			return errSlow
		}
		p.ws()
		if !p.eat(':') {
			return errSlow
		}
		p.ws()
		if err := p.value(key, r); err != nil {
			return err
		}
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return p.end()
		}
		return errSlow
	}
}

type flat struct {
	b []byte
	i int
}

func (p *flat) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\n', '\r', '\t':
			p.i++
		default:
			return
		}
	}
}

func (p *flat) eat(c byte) bool {
	if p.i < len(p.b) && p.b[p.i] == c {
		p.i++
		return true
	}
	return false
}

func (p *flat) end() error {
	p.ws()
	if p.i != len(p.b) {
		return errSlow
	}
	return nil
}

// str reads a string without escapes or control characters, in valid UTF-8.
func (p *flat) str() (string, bool) {
	if !p.eat('"') {
		return "", false
	}
	start := p.i
	ascii := true
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			s := p.b[start:p.i]
			p.i++
			if !ascii && !utf8.Valid(s) {
				return "", false
			}
			return string(s), true
		case c == '\\' || c < 0x20:
			return "", false
		case c >= 0x80:
			ascii = false
		}
		p.i++
	}
	return "", false
}

// integer reads -?(0|[1-9][0-9]*) followed by a delimiter.
func (p *flat) integer() (int64, bool) {
	start := p.i
	p.eat('-')
	d := p.i
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
	}
	if p.i == d || (p.b[d] == '0' && p.i > d+1) {
		return 0, false
	}
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case ',', '}', ' ', '\n', '\r', '\t':
		default:
			return 0, false
		}
	}
	v, err := strconv.ParseInt(string(p.b[start:p.i]), 10, 64)
	return v, err == nil
}

func (p *flat) null() bool {
	if strings.HasPrefix(string(p.b[p.i:min(len(p.b), p.i+4)]), "null") {
		p.i += 4
		return true
	}
	return false
}

var strFields = map[string]func(*raw) *string{
	"path": func(r *raw) *string { return &r.Path }, "mode": func(r *raw) *string { return &r.Mode },
	"user_name": func(r *raw) *string { return &r.UserName }, "group_name": func(r *raw) *string { return &r.GroupName },
	"error": func(r *raw) *string { return &r.Error }, "context": func(r *raw) *string { return &r.Context },
	"sha1": func(r *raw) *string { return &r.SHA1 }, "sha256": func(r *raw) *string { return &r.SHA256 },
	"sha512": func(r *raw) *string { return &r.SHA512 }, "md5": func(r *raw) *string { return &r.MD5 },
}

var intFields = map[string]func(*raw) *int64{
	"size": func(r *raw) *int64 { return &r.Size }, "user_id": func(r *raw) *int64 { return &r.UserID },
	"group_id": func(r *raw) *int64 { return &r.GroupID }, "changed_time": func(r *raw) *int64 { return &r.ChangedTime },
	"modified_time": func(r *raw) *int64 { return &r.ModifiedTime }, "access_time": func(r *raw) *int64 { return &r.AccessTime },
}

func (p *flat) value(key string, r *raw) error {
	if f, ok := strFields[key]; ok {
		if p.null() {
			return nil
		}
		s, ok := p.str()
		if !ok {
			return errSlow
		}
		*f(r) = s
		return nil
	}
	if f, ok := intFields[key]; ok {
		if p.null() {
			return nil
		}
		v, ok := p.integer()
		if !ok {
			return errSlow
		}
		*f(r) = v
		return nil
	}
	// An unknown key: encoding/json matches field names case-insensitively.
	for k := range strFields {
		if strings.EqualFold(k, key) {
			return errSlow
		}
	}
	for k := range intFields {
		if strings.EqualFold(k, key) {
			return errSlow
		}
	}
	switch {
	case p.null():
		return nil
	case p.i < len(p.b) && p.b[p.i] == '"':
		if _, ok := p.str(); ok {
			return nil
		}
	case p.i < len(p.b) && (p.b[p.i] == '-' || (p.b[p.i] >= '0' && p.b[p.i] <= '9')):
		if _, ok := p.integer(); ok {
			return nil
		}
	}
	return errSlow
}
