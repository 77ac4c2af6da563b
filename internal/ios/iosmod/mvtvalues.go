package iosmod

import (
	"strconv"
	"unicode/utf8"
)

// The helpers below give a column's value as MVT writes it in its JSON
// results (docs/mvt-parity.md, "Record fields"), for the record fields
// spyscan keeps under MVT's names: NULL stays null (nil), numbers stay
// numbers, text stays text.

// Val returns a column as MVT writes it: nil when NULL or missing, an
// integer or float as it is, text as it is, and a blob as its UTF-8 text
// with each byte that is not UTF-8 written `\xNN` (MVT's JSON encoder
// decodes bytes with Python's "backslashreplace").
func (r Row) Val(c string) any {
	if b, ok := r.get(c).([]byte); ok {
		return BackslashReplace(b)
	}
	return r.get(c)
}

// Text returns a text column (a blob read as UTF-8) or nil when NULL or
// missing, as MVT writes the text columns it decodes itself.
func (r Row) Text(c string) any {
	if r.Null(c) {
		return nil
	}
	return r.Str(c)
}

// MacISO returns a Mac absolute time column (seconds since 2001) as MVT's
// ISO date text, nil when NULL, missing or zero (MVT's
// convert_mactime_to_iso gives no date for 0).
func MacISO(r Row, c string) any {
	if s := ISO(AppleTime(r, c)); s != "" {
		return s
	}
	return nil
}

// BackslashReplace returns b as text: its UTF-8 runs as they are and every
// other byte as the four characters `\xNN` (lower-case hex), as Python's
// bytes.decode("utf-8", "backslashreplace") does.
func BackslashReplace(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			out = append(out, '\\', 'x')
			if b[i] < 0x10 {
				out = append(out, '0')
			}
			out = strconv.AppendUint(out, uint64(b[i]), 16)
			i++
			continue
		}
		out = append(out, b[i:i+n]...)
		i += n
	}
	return string(out)
}
