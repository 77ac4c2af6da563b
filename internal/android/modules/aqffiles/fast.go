package aqffiles

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/bits"
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
	if err := o.toObject(); err != nil {
		return nil, err
	}
	_, _ = o.br.ReadByte() // the '{' toObject stopped at
	o.buf = append(o.buf[:0], '{')
	depth, inStr, esc := 1, false, false
	for depth > 0 {
		if o.br.Buffered() == 0 {
			if _, err := o.br.Peek(1); err != nil {
				if err == io.EOF {
					return nil, io.ErrUnexpectedEOF
				}
				return nil, err
			}
		}
		chunk, _ := o.br.Peek(o.br.Buffered())
		k := 0
		for k < len(chunk) && depth > 0 {
			if inStr && !esc {
				k += stringRun(chunk[k:])
				if k == len(chunk) {
					break
				}
			}
			c := chunk[k]
			k++
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
		if len(o.buf)+k > MaxObject {
			return nil, errTooLarge
		}
		o.buf = append(o.buf, chunk[:k]...)
		if _, err := o.br.Discard(k); err != nil {
			return nil, err
		}
	}
	return o.buf, nil
}

// toObject skips to the next '{' (left unread), accepting the array's
// punctuation; io.EOF at a clean end.
func (o *objects) toObject() error {
	if o.done {
		return io.EOF
	}
	for {
		c, err := o.br.ReadByte()
		if err == io.EOF {
			if o.array {
				return io.ErrUnexpectedEOF
			}
			return io.EOF
		}
		if err != nil {
			return err
		}
		switch {
		case c == ' ' || c == '\n' || c == '\r' || c == '\t':
			continue
		case c == ',' && o.array:
			continue
		case c == ']' && o.array:
			o.done = true
			return io.EOF
		case c == '{':
			return o.br.UnreadByte()
		default:
			return fmt.Errorf("unexpected %q between entries", c)
		}
	}
}

// nextFlat reads the next object into r straight from the read buffer,
// without splitting it first, when the buffer holds all of it and it is
// flat (parseFlatPrefix): ok false (nothing read but the punctuation
// before it) leaves the object to next and parseObject, which give the
// same entry or error. io.EOF at a clean end.
func (o *objects) nextFlat(r *raw) (ok bool, err error) {
	if err := o.toObject(); err != nil {
		return false, err
	}
	chunk, _ := o.br.Peek(o.br.Buffered()) // from the '{' on
	var fast raw
	n, err := parseFlatPrefix(chunk, &fast, r) // r: the previous entry
	if err != nil {
		return false, nil
	}
	if _, err := o.br.Discard(n); err != nil {
		return false, err
	}
	*r = fast
	return true, nil
}

// stringRun is how many bytes at the start of b, inside a JSON string, are
// neither its closing quote nor a backslash: they are skipped eight at a
// time instead of a byte at a time (most of files.json is paths and
// hashes; two searches of the whole run, one per byte, cost more on
// strings this short).
func stringRun(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		v := binary.LittleEndian.Uint64(b[i:])
		if m := bytesEqual(v, '"') | bytesEqual(v, '\\'); m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for ; i < len(b); i++ {
		if b[i] == '"' || b[i] == '\\' {
			return i
		}
	}
	return len(b)
}

// bytesEqual marks (its top bit set) the bytes of v equal to c, exactly for
// the lowest such byte (bytes above it may be marked falsely: a borrow
// carries up from a match): the lowest mark is the first match.
func bytesEqual(v uint64, c byte) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	x := v ^ ones*uint64(c)
	return (x - ones) &^ x & highs
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
	n, err := parseFlatPrefix(b, r, nil)
	if err != nil {
		return err
	}
	p := flat{b: b, i: n}
	return p.end()
}

// parseFlatPrefix is parseFlat of the object that starts b (after
// whitespace), whatever follows it: it returns the length of b up to the
// object's closing brace. An object that b cuts short is errSlow.
//
// A string field equal to the same field of prev (nil: none), the previous
// entry, takes prev's string instead of a copy of its bytes: modes, SELinux
// contexts and owners repeat from entry to entry.
func parseFlatPrefix(b []byte, r, prev *raw) (int, error) {
	p := flat{b: b, prev: prev}
	p.ws()
	if !p.eat('{') {
		return 0, errSlow
	}
	p.ws()
	if p.eat('}') {
		return p.i, nil
	}
	for {
		p.ws()
		key, ok := p.raw()
		if !ok {
			return 0, errSlow
		}
		p.ws()
		if !p.eat(':') {
			return 0, errSlow
		}
		p.ws()
		if err := p.value(key, r); err != nil {
			return 0, err
		}
		p.ws()
		if p.eat(',') {
			continue
		}
		if p.eat('}') {
			return p.i, nil
		}
		return 0, errSlow
	}
}

type flat struct {
	b    []byte
	i    int
	prev *raw // see parseFlatPrefix
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

// raw reads the bytes of a string without escapes or control characters,
// in valid UTF-8.
func (p *flat) raw() ([]byte, bool) {
	if !p.eat('"') {
		return nil, false
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
				return nil, false
			}
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		case c >= 0x80:
			ascii = false
		}
		p.i++
	}
	return nil, false
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
	if p.i-d <= 18 { // fits in int64 without overflow checks
		var v int64
		for _, c := range p.b[d:p.i] {
			v = v*10 + int64(c-'0')
		}
		if d > start {
			v = -v
		}
		return v, true
	}
	v, err := strconv.ParseInt(string(p.b[start:p.i]), 10, 64)
	return v, err == nil
}

func (p *flat) null() bool {
	if bytes.HasPrefix(p.b[p.i:], []byte("null")) {
		p.i += 4
		return true
	}
	return false
}

// strField and intField return the field of r a key names, or nil.
func strField(key []byte, r *raw) *string {
	switch string(key) {
	case "path":
		return &r.Path
	case "mode":
		return &r.Mode
	case "user_name":
		return &r.UserName
	case "group_name":
		return &r.GroupName
	case "error":
		return &r.Error
	case "context":
		return &r.Context
	case "sha1":
		return &r.SHA1
	case "sha256":
		return &r.SHA256
	case "sha512":
		return &r.SHA512
	case "md5":
		return &r.MD5
	}
	return nil
}

func intField(key []byte, r *raw) *int64 {
	switch string(key) {
	case "size":
		return &r.Size
	case "user_id":
		return &r.UserID
	case "group_id":
		return &r.GroupID
	case "changed_time":
		return &r.ChangedTime
	case "modified_time":
		return &r.ModifiedTime
	case "access_time":
		return &r.AccessTime
	}
	return nil
}

var fieldNames = []string{"path", "mode", "user_name", "group_name", "error", "context", "sha1", "sha256", "sha512", "md5",
	"size", "user_id", "group_id", "changed_time", "modified_time", "access_time"}

func (p *flat) value(key []byte, r *raw) error {
	if f := strField(key, r); f != nil {
		if p.null() {
			return nil
		}
		b, ok := p.raw()
		if !ok {
			return errSlow
		}
		if p.prev != nil {
			if same := strField(key, p.prev); *same == string(b) {
				*f = *same
				return nil
			}
		}
		*f = string(b)
		return nil
	}
	if f := intField(key, r); f != nil {
		if p.null() {
			return nil
		}
		v, ok := p.integer()
		if !ok {
			return errSlow
		}
		*f = v
		return nil
	}
	// An unknown key: encoding/json matches field names case-insensitively.
	for _, k := range fieldNames {
		if strings.EqualFold(k, string(key)) {
			return errSlow
		}
	}
	switch {
	case p.null():
		return nil
	case p.i < len(p.b) && p.b[p.i] == '"':
		if _, ok := p.raw(); ok {
			return nil
		}
	case p.i < len(p.b) && (p.b[p.i] == '-' || (p.b[p.i] >= '0' && p.b[p.i] <= '9')):
		if _, ok := p.integer(); ok {
			return nil
		}
	}
	return errSlow
}
