package plistx

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"unicode/utf16"
	"unicode/utf8"
)

// checkText checks the nesting depth of a plist that is not binary, the
// way the decoder will read it: as XML when its first element is one the
// XML reader knows, else as OpenStep/GNUstep text (the decoder's fallback).
func checkText(data []byte) error {
	asXML, err := checkXML(data)
	if asXML || err != nil {
		return err
	}
	return checkOpenStep(data)
}

// xmlElements are the elements the decoder's XML reader accepts as the
// first element of a document; any other first element (or no element)
// makes it fall back to the text reader.
var xmlElements = map[string]bool{"plist": true, "array": true, "dict": true, "string": true, "key": true,
	"integer": true, "real": true, "true": true, "false": true, "date": true, "data": true}

// checkXML walks the XML tokens with the same tokenizer the decoder uses,
// counting element nesting: one level for <plist>, one for a leaf element,
// and one per array or dictionary. It reports whether the decoder will
// read data as XML. Tokenizer errors stop the walk: the decoder stops at
// the same place.
func checkXML(data []byte) (bool, error) {
	d := xml.NewDecoder(bytes.NewReader(data))
	depth, first := 0, true
	for {
		tok, err := d.Token()
		if err != nil {
			return !first, nil
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if first && !xmlElements[t.Name.Local] {
				return false, nil
			}
			first = false
			if depth++; depth > MaxDepth+2 {
				return true, fmt.Errorf("%w (more than %d levels)", ErrTooDeep, MaxDepth)
			}
		case xml.EndElement:
			if depth--; depth == 0 {
				return true, nil
			}
		}
	}
}

// checkOpenStep counts the nesting of ( and { in an OpenStep or GNUstep
// text plist, lexing as the decoder does: quoted strings with backslash
// escapes, // and /* */ comments between tokens, <...> data, and unquoted
// strings (which may hold '/'). It may count more than the decoder nests
// (it does not check the grammar), never less.
func checkOpenStep(data []byte) error {
	s, err := textInput(data)
	if err != nil {
		return nil // the decoder refuses it before nesting anything
	}
	depth := 0
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case isSpace(r):
			i += w
		case r == '/' && i+1 < len(s) && s[i+1] == '/':
			for i < len(s) && s[i] != '\n' && s[i] != '\r' {
				i++
			}
		case r == '/' && i+1 < len(s) && s[i+1] == '*':
			end := indexFrom(s, i+2, "*/")
			if end < 0 {
				return nil
			}
			i = end + 2
		case r == '"':
			i = skipQuoted(s, i+1)
		case r == '<':
			end := indexFrom(s, i+1, ">")
			if end < 0 {
				return nil
			}
			i = end + 1
		case r == '(' || r == '{':
			if depth++; depth > MaxDepth {
				return fmt.Errorf("%w (more than %d levels)", ErrTooDeep, MaxDepth)
			}
			i += w
		case r == ')' || r == '}':
			depth = max(depth-1, 0)
			i += w
		case quotable(r):
			i += w
		default: // an unquoted string runs to the next character that must be quoted
			for i < len(s) {
				r, w := utf8.DecodeRuneInString(s[i:])
				if quotable(r) {
					break
				}
				i += w
			}
		}
	}
	return nil
}

func indexFrom(s string, from int, sub string) int {
	if from > len(s) {
		return -1
	}
	if j := bytes.Index([]byte(s[from:]), []byte(sub)); j >= 0 {
		return from + j
	}
	return -1
}

// skipQuoted returns the position after the closing quote of a string
// whose opening quote is before i (len(s) when unterminated).
func skipQuoted(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case '"':
			return i + 1
		case '\\':
			i += 2 // an escaped quote or backslash never closes the string
			continue
		}
		i++
	}
	return len(s)
}

// isSpace is the decoder's whitespace set: \b through \r, and space.
func isSpace(r rune) bool { return (r >= 8 && r <= 13) || r == ' ' }

// quotable reports whether r cannot appear in an unquoted string (the
// decoder's GNUstep "quotable" set): controls, space, "'(),;<=>[\]`{}, DEL
// and every rune from 0x80 to 0xFF.
func quotable(r rune) bool {
	switch {
	case r < 0:
		return true
	case r <= ' ' || (r >= 0x7F && r <= 0xFF):
		return true
	case r > 0xFF:
		return false
	}
	switch r {
	case '"', '\'', '(', ')', ',', ';', '<', '=', '>', '[', '\\', ']', '`', '{', '}':
		return true
	}
	return false
}

// textInput converts data the way the decoder's text reader does: a UTF-8
// BOM is dropped, UTF-16 is recognised by its BOM or by a zero first or
// second byte, anything else is read as it is.
func textInput(b []byte) (string, error) {
	switch {
	case len(b) >= 3 && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF:
		return string(b[3:]), nil
	case len(b) < 2:
		return string(b), nil
	case b[0] == 0xFE && b[1] == 0xFF:
		return utf16String(b[2:], binary.BigEndian)
	case b[0] == 0 && b[1] != 0:
		return utf16String(b, binary.BigEndian)
	case b[0] == 0xFF && b[1] == 0xFE:
		return utf16String(b[2:], binary.LittleEndian)
	case b[0] != 0 && b[1] == 0:
		return utf16String(b, binary.LittleEndian)
	}
	return string(b), nil
}

func utf16String(b []byte, bo binary.ByteOrder) (string, error) {
	if len(b)%2 != 0 {
		return "", errors.New("truncated UTF-16")
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = bo.Uint16(b[2*i:])
	}
	return string(utf16.Decode(u)), nil
}
