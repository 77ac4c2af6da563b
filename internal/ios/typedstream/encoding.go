package typedstream

import (
	"errors"
	"strings"
)

// typ is one parsed Objective-C type encoding.
type typ struct {
	kind   byte   // the first character: a scalar code, '[' or '{'
	enc    string // the encoding as written
	n      int    // array length
	elem   *typ   // array element
	name   string // struct name
	fields []*typ // struct fields
}

// maxEncodingDepth bounds nested arrays and structs in one encoding.
const maxEncodingDepth = 16

// maxArrayLen bounds an array length written in an encoding (the data
// must hold the elements anyway; this keeps the number parse in range).
const maxArrayLen = 1 << 28

var errEncoding = errors.New("bad type encoding")

// scalars are the one-character types typedstream can hold.
const scalars = "cCsSiIlLqQfdB*%:+#@!"

// parseEncodings splits a type-encoding string into its types.
func parseEncodings(enc string) ([]*typ, error) {
	var out []*typ
	for rest := enc; rest != ""; {
		t, r, err := parseOne(rest, 0)
		if err != nil {
			return nil, err
		}
		out, rest = append(out, t), r
	}
	return out, nil
}

// parseOne parses the first type of s and returns the rest of s.
func parseOne(s string, depth int) (*typ, string, error) {
	if depth > maxEncodingDepth || s == "" {
		return nil, "", errEncoding
	}
	switch c := s[0]; {
	case strings.IndexByte(scalars, c) >= 0:
		return &typ{kind: c, enc: s[:1]}, s[1:], nil
	case c == '[':
		i := 1
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			n = n*10 + int(s[i]-'0')
			if n > maxArrayLen {
				return nil, "", errEncoding
			}
			i++
		}
		if i == 1 {
			return nil, "", errEncoding
		}
		elem, rest, err := parseOne(s[i:], depth+1)
		if err != nil || rest == "" || rest[0] != ']' {
			return nil, "", errEncoding
		}
		used := len(s) - len(rest) + 1
		return &typ{kind: '[', enc: s[:used], n: n, elem: elem}, rest[1:], nil
	case c == '{':
		t := &typ{kind: '{'}
		body := s[1:]
		// A name runs to '=' unless a nested type or the end comes first.
		if i := strings.IndexAny(body, "={}[]"); i >= 0 && body[i] == '=' {
			t.name, body = body[:i], body[i+1:]
		}
		for {
			if body == "" {
				return nil, "", errEncoding
			}
			if body[0] == '}' {
				used := len(s) - len(body) + 1
				t.enc = s[:used]
				return t, body[1:], nil
			}
			f, rest, err := parseOne(body, depth+1)
			if err != nil {
				return nil, "", err
			}
			t.fields, body = append(t.fields, f), rest
		}
	}
	return nil, "", errEncoding
}
