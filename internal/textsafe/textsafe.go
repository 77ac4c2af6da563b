// Package textsafe owns showing text from evidence without letting it
// mislead or attack the reader. Visible makes what a viewer would hide or
// reorder visible as escapes: invalid UTF-8 bytes (\xFF), control
// characters other than tab and line breaks, and Unicode format characters
// (bidi overrides such as U+202E, zero-width spaces and joiners, the BOM,
// tag characters) plus the line and paragraph separators (\u202E,
// \U000E0041). CSVCell also neutralises spreadsheet formulas as OWASP
// recommends for CSV export. Writers of human-facing text (timeline.csv,
// the HTML report) call them; JSON keeps the raw values.
package textsafe

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// hidden reports whether r is shown as an escape.
func hidden(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return false
	case r < 0x20 || (r >= 0x7F && r <= 0x9F):
		return true
	case r < 0xA0:
		return false
	case r == '\u2028' || r == '\u2029':
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// clean reports whether s needs no escape (the common case, checked
// without allocating).
func clean(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7F {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			if c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && w == 1 || hidden(r) {
			return false
		}
		i += w
	}
	return true
}

// Visible returns s with invalid UTF-8 and hidden characters written as
// escapes: \xFF for a byte that is not UTF-8, \u202E (four hex digits) or
// \U000E0041 (eight) for a character.
func Visible(s string) string {
	if clean(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w == 1:
			b.WriteString(`\x`)
			b.WriteString(hex2(s[i]))
		case hidden(r):
			b.WriteString(escape(r))
		default:
			b.WriteString(s[i : i+w])
		}
		i += w
	}
	return b.String()
}

// VisibleBytes is Visible for a whole document (a rendered HTML report):
// the escapes are plain ASCII letters and digits, safe in text and in
// attribute values alike.
func VisibleBytes(p []byte) []byte {
	s := string(p)
	if clean(s) {
		return p
	}
	return []byte(Visible(s))
}

// Changed reports whether Visible would change s.
func Changed(s string) bool { return !clean(s) }

func escape(r rune) string {
	h := strings.ToUpper(strconv.FormatInt(int64(r), 16))
	if r > 0xFFFF {
		return `\U` + strings.Repeat("0", 8-len(h)) + h
	}
	return `\u` + strings.Repeat("0", 4-len(h)) + h
}

func hex2(c byte) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[c>>4], digits[c&0xF]})
}

// CSVCell returns s ready for a CSV cell that a spreadsheet may open:
// Visible, and, when it starts with a character that makes a spreadsheet
// read a formula (=, +, -, @, tab or carriage return), prefixed with a
// single quote (OWASP "CSV injection"). The CSV writer quotes the rest.
func CSVCell(s string) string {
	s = Visible(s)
	if s != "" && strings.IndexByte("=+-@\t\r", s[0]) >= 0 {
		return "'" + s
	}
	return s
}
