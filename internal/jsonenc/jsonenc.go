// Package jsonenc appends values exactly as encoding/json's Marshal writes
// them, without reflection, for the encoders of hot records (a capture's
// millions of network records): strings HTML-escaped with invalid UTF-8 as
// U+FFFD, times as time.Time.MarshalJSON. Its tests compare every function
// with encoding/json on generated and fuzzed values, so a record encoder
// built from them stays byte-identical to json.Marshal.
package jsonenc

import (
	"encoding/base64"
	"errors"
	"math"
	"math/bits"
	"strconv"
	"time"
	"unicode/utf8"
)

const hexDigits = "0123456789abcdef"

// htmlSafe[b] tells an ASCII byte json.Marshal writes as is; safe, one
// an Encoder with SetEscapeHTML(false) writes as is.
var htmlSafe, safe = func() (h, t [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		t[b] = b != '"' && b != '\\'
		h[b] = t[b] && b != '<' && b != '>' && b != '&'
	}
	return h, t
}()

// Word tests: ones and highs are a byte's 0x01 and 0x80 in every byte of a
// uint64.
const ones, highs = 0x0101010101010101, 0x8080808080808080

// load64 reads the eight bytes of s (len(s) == 8), the first lowest.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// bytesEqual marks (their top bit set) the bytes of v equal to c, exactly
// for the lowest such byte (a borrow may falsely mark those above it).
func bytesEqual(v uint64, c byte) uint64 {
	x := v ^ ones*uint64(c)
	return (x - ones) &^ x & highs
}

// unsafeBytes marks the bytes of v that appendString does not write as
// they are (a quote, a backslash, a control character, a byte of 0x80 and
// more, and with html <, > and &), exactly for the lowest of them: no
// byte below it is marked, it always is (bytes above it may be falsely).
func unsafeBytes(v uint64, html bool) uint64 {
	m := bytesEqual(v, '"') | bytesEqual(v, '\\') | (v - ones*0x20) | v
	if html {
		m |= bytesEqual(v, '<') | bytesEqual(v, '>') | bytesEqual(v, '&')
	}
	return m & highs
}

// String appends s as a JSON string, as json.Marshal writes it.
func String(dst []byte, s string) []byte { return appendString(dst, s, &htmlSafe) }

// StringNoHTMLEscape appends s as a json.Encoder with SetEscapeHTML(false)
// writes it (<, > and & as they are).
func StringNoHTMLEscape(dst []byte, s string) []byte { return appendString(dst, s, &safe) }

func appendString(dst []byte, s string, safe *[utf8.RuneSelf]bool) []byte {
	dst = append(dst, '"')
	start := 0
	html := safe == &htmlSafe
	for i := 0; i < len(s); {
		if i+8 <= len(s) {
			// Eight bytes at a time up to the first that is not written
			// as is (most strings have none).
			m := unsafeBytes(load64(s[i:i+8]), html)
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8
		}
		if b := s[i]; b < utf8.RuneSelf {
			if safe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default: // control characters and <, >, &
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xf])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case c == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case c == '\u2028' || c == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Strings appends a []string as json.Marshal writes it (nil is null).
func Strings(dst []byte, v []string) []byte {
	if v == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range v {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = String(dst, s)
	}
	return append(dst, ']')
}

// ErrTime is the error of a time json.Marshal refuses (a year outside
// 0–9999, a zone offset of a day or more); a caller falls back to
// json.Marshal, which reports it.
var ErrTime = errors.New("jsonenc: time outside RFC 3339")

// Time appends t as time.Time.MarshalJSON writes it (RFC 3339 with
// nanoseconds, quoted).
func Time(dst []byte, t time.Time) ([]byte, error) {
	if t.Location() == time.UTC { // most times: no zone to look up
		n := len(dst) + 1
		dst = t.AppendFormat(append(dst, '"'), time.RFC3339Nano)
		// A year in 0-9999 is four digits and a dash; any other has
		// a sign or more digits.
		if b := dst[n:]; len(b) < 5 || b[4] != '-' || b[0] == '-' || b[0] == '+' {
			return dst[:n-1], ErrTime
		}
		return append(dst, '"'), nil
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return dst, ErrTime
	}
	if _, off := t.Zone(); off <= -24*3600 || off >= 24*3600 {
		return dst, ErrTime
	}
	dst = append(dst, '"')
	dst = t.AppendFormat(dst, time.RFC3339Nano)
	return append(dst, '"'), nil
}

// Int appends an integer.
func Int(dst []byte, v int64) []byte { return strconv.AppendInt(dst, v, 10) }

// Uint appends an unsigned integer.
func Uint(dst []byte, v uint64) []byte { return strconv.AppendUint(dst, v, 10) }

// Bool appends true or false.
func Bool(dst []byte, v bool) []byte { return strconv.AppendBool(dst, v) }

// Key appends `"name":`, after a comma unless dst ends with an object's
// opening brace (no JSON value ends with one). name must need no escaping
// (a Go field's JSON name).
func Key(dst []byte, name string) []byte {
	if n := len(dst); n > 0 && dst[n-1] != '{' {
		dst = append(dst, ',')
	}
	dst = append(dst, '"')
	dst = append(dst, name...)
	return append(dst, '"', ':')
}

// ErrFloat is the error of a float json.Marshal refuses (NaN or an
// infinity); a caller falls back to json.Marshal, which reports it.
var ErrFloat = errors.New("jsonenc: NaN or infinite float")

// Float64 appends f as json.Marshal writes a float64: the shortest
// representation, in exponent form below 1e-6 and from 1e21 on, with a
// one-digit negative exponent not padded (1e-7, not 1e-07).
func Float64(dst []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return dst, ErrFloat
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	dst = strconv.AppendFloat(dst, f, format, -1, 64)
	if format == 'e' {
		if n := len(dst); n >= 4 && dst[n-4] == 'e' && dst[n-3] == '-' && dst[n-2] == '0' {
			dst[n-2] = dst[n-1]
			dst = dst[:n-1]
		}
	}
	return dst, nil
}

// Bytes appends b as json.Marshal writes a []byte: standard base64,
// quoted (nil is null).
func Bytes(dst []byte, b []byte) []byte {
	if b == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '"')
	dst = base64.StdEncoding.AppendEncode(dst, b)
	return append(dst, '"')
}

// Object appends a struct's fields as json.Marshal writes them, in the
// order of the calls (the struct's field order): the OmitEmpty and
// OmitZero forms follow the tags of those names. The first value
// json.Marshal would refuse sets Err; the caller then falls back to
// json.Marshal, which reports it.
//
//	o := jsonenc.Open(dst)
//	o.String("path", r.Path)
//	o.TimeOmitZero("modified", r.Modified)
//	return o.Close()
type Object struct {
	B   []byte
	Err error
	str func([]byte, string) []byte
}

// Open starts an object on dst, its strings escaped as json.Marshal does.
func Open(dst []byte) Object { return Object{B: append(dst, '{'), str: String} }

// OpenNoHTMLEscape starts an object whose strings are escaped as a
// json.Encoder with SetEscapeHTML(false) writes them.
func OpenNoHTMLEscape(dst []byte) Object {
	return Object{B: append(dst, '{'), str: StringNoHTMLEscape}
}

// Close ends the object.
func (o *Object) Close() ([]byte, error) { return append(o.B, '}'), o.Err }

// Key appends a field's name; the caller appends its value to o.B.
func (o *Object) Key(k string) { o.B = Key(o.B, k) }

// String appends a string field.
func (o *Object) String(k, v string) { o.B = o.str(Key(o.B, k), v) }

// StringOmitEmpty appends a string field unless it is empty.
func (o *Object) StringOmitEmpty(k, v string) {
	if v != "" {
		o.String(k, v)
	}
}

// Strings appends a []string field (nil is null).
func (o *Object) Strings(k string, v []string) {
	o.B = append(Key(o.B, k), '[')
	if v == nil {
		o.B = append(o.B[:len(o.B)-1], "null"...)
		return
	}
	for i, s := range v {
		if i > 0 {
			o.B = append(o.B, ',')
		}
		o.B = o.str(o.B, s)
	}
	o.B = append(o.B, ']')
}

// StringsOmitEmpty appends a []string field unless it has no element.
func (o *Object) StringsOmitEmpty(k string, v []string) {
	if len(v) > 0 {
		o.Strings(k, v)
	}
}

// Int appends an integer field.
func (o *Object) Int(k string, v int64) { o.B = Int(Key(o.B, k), v) }

// IntOmitEmpty appends an integer field unless it is 0.
func (o *Object) IntOmitEmpty(k string, v int64) {
	if v != 0 {
		o.Int(k, v)
	}
}

// Uint appends an unsigned integer field.
func (o *Object) Uint(k string, v uint64) { o.B = Uint(Key(o.B, k), v) }

// Bool appends a boolean field.
func (o *Object) Bool(k string, v bool) { o.B = Bool(Key(o.B, k), v) }

// BoolOmitEmpty appends a boolean field unless it is false.
func (o *Object) BoolOmitEmpty(k string, v bool) {
	if v {
		o.Bool(k, v)
	}
}

// Float64 appends a float64 field.
func (o *Object) Float64(k string, v float64) {
	var err error
	if o.B, err = Float64(Key(o.B, k), v); err != nil && o.Err == nil {
		o.Err = err
	}
}

// Bytes appends a []byte field (base64; nil is null).
func (o *Object) Bytes(k string, v []byte) { o.B = Bytes(Key(o.B, k), v) }

// BytesOmitEmpty appends a []byte field unless it is empty.
func (o *Object) BytesOmitEmpty(k string, v []byte) {
	if len(v) > 0 {
		o.Bytes(k, v)
	}
}

// Time appends a time field (time.Time.MarshalJSON's form).
func (o *Object) Time(k string, t time.Time) {
	var err error
	if o.B, err = Time(Key(o.B, k), t); err != nil && o.Err == nil {
		o.Err = err
	}
}

// TimeOmitZero appends a time field unless it is the zero time.
func (o *Object) TimeOmitZero(k string, t time.Time) {
	if !t.IsZero() {
		o.Time(k, t)
	}
}
