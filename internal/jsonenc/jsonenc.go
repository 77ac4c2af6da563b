// Package jsonenc appends values exactly as encoding/json's Marshal writes
// them, without reflection, for the encoders of hot records (a capture's
// millions of network records): strings HTML-escaped with invalid UTF-8 as
// U+FFFD, times as time.Time.MarshalJSON. Its tests compare every function
// with encoding/json on generated and fuzzed values, so a record encoder
// built from them stays byte-identical to json.Marshal.
package jsonenc

import (
	"errors"
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

// String appends s as a JSON string, as json.Marshal writes it.
func String(dst []byte, s string) []byte { return appendString(dst, s, &htmlSafe) }

// StringNoHTMLEscape appends s as a json.Encoder with SetEscapeHTML(false)
// writes it (<, > and & as they are).
func StringNoHTMLEscape(dst []byte, s string) []byte { return appendString(dst, s, &safe) }

func appendString(dst []byte, s string, safe *[utf8.RuneSelf]bool) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
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
