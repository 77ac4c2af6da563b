package stix

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// decodeBundle is a single-pass reader of the subset of JSON a STIX bundle
// needs: it walks the whole document (so malformed JSON is still an error)
// but only builds the fields of Object that spyscan reads. It is several
// times faster than encoding/json on the 5 MB public bundles, which matters
// because the embedded snapshot is parsed at every start.
// Each object is handed to each in turn, in a reused Object that each must
// copy from; rb.Objects stays empty.
func decodeBundle(data []byte, each func(*Object)) (rawBundle, error) {
	d := &decoder{data: data}
	var rb rawBundle
	var o Object
	d.ws()
	err := d.object(func(key []byte) error {
		switch lowerKey(key) {
		case "type":
			return d.str(&rb.Type)
		case "id":
			return d.str(&rb.ID)
		case "objects":
			return d.array(func() error {
				o = Object{ObjectRefs: o.ObjectRefs[:0], ExternalRefs: o.ExternalRefs[:0], wrongTypes: o.wrongTypes[:0]}
				if err := d.object(func(k []byte) error { return d.objectField(&o, k) }); err != nil {
					return err
				}
				each(&o)
				return nil
			})
		}
		return d.skip()
	})
	if err != nil {
		return rb, err
	}
	d.ws()
	if d.pos != len(d.data) {
		return rb, d.errorf("trailing data")
	}
	return rb, nil
}

// lowerKey folds ASCII upper case, as encoding/json matches keys
// case-insensitively.
func lowerKey(k []byte) string {
	for _, c := range k {
		if 'A' <= c && c <= 'Z' {
			return strings.ToLower(string(k))
		}
	}
	return string(k)
}

func (d *decoder) objectField(o *Object, key []byte) error {
	k := lowerKey(key)
	switch k {
	case "type":
		return d.field(o, k, &o.Type)
	case "id":
		return d.field(o, k, &o.ID)
	case "name":
		return d.field(o, k, &o.Name)
	case "pattern":
		return d.field(o, k, &o.Pattern)
	case "pattern_type":
		return d.field(o, k, &o.PatternType)
	case "relationship_type":
		return d.field(o, k, &o.RelationshipType)
	case "source_ref":
		return d.field(o, k, &o.SourceRef)
	case "target_ref":
		return d.field(o, k, &o.TargetRef)
	case "valid_from":
		return d.field(o, k, &o.ValidFrom)
	case "object_refs":
		o.ObjectRefs = o.ObjectRefs[:0]
		return d.fieldArray(o, k, func() error {
			var s string
			if d.peek() != '"' {
				o.wrongTypes = append(o.wrongTypes, "an entry of object_refs")
				return d.skip()
			}
			if err := d.str(&s); err != nil {
				return err
			}
			o.ObjectRefs = append(o.ObjectRefs, s)
			return nil
		})
	case "external_references":
		o.ExternalRefs = o.ExternalRefs[:0]
		return d.fieldArray(o, k, func() error {
			if d.peek() != '{' {
				o.wrongTypes = append(o.wrongTypes, "an entry of external_references")
				return d.skip()
			}
			var r ExternalReference
			err := d.object(func(rk []byte) error {
				switch lowerKey(rk) {
				case "source_name":
					return d.field(o, "external_references.source_name", &r.SourceName)
				case "url":
					return d.field(o, "external_references.url", &r.URL)
				}
				return d.skip()
			})
			o.ExternalRefs = append(o.ExternalRefs, r)
			return err
		})
	}
	return d.skip()
}

// field reads a string field into dst. A value of another JSON type (STIX
// producers write arrays or numbers where the specification has a string)
// is validated and skipped, and named in o.wrongTypes, so one odd field
// costs a warning, not the whole bundle.
func (d *decoder) field(o *Object, name string, dst *string) error {
	if d.peek() != '"' {
		o.wrongTypes = append(o.wrongTypes, name)
		return d.skip()
	}
	return d.str(dst)
}

// fieldArray is field for a list: a value that is not an array is skipped
// and named in o.wrongTypes.
func (d *decoder) fieldArray(o *Object, name string, elem func() error) error {
	if d.peek() != '[' {
		o.wrongTypes = append(o.wrongTypes, name)
		return d.skip()
	}
	return d.array(elem)
}

type decoder struct {
	data  []byte
	pos   int
	depth int
}

const maxDepth = 256

var errSyntax = errors.New("invalid JSON")

func (d *decoder) errorf(format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", errSyntax, d.pos, fmt.Sprintf(format, args...))
}

func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

func (d *decoder) peek() byte {
	d.ws()
	if d.pos >= len(d.data) {
		return 0
	}
	return d.data[d.pos]
}

// object calls field for each key, positioned at its value; field must
// consume the value. A value that is null counts as absent.
func (d *decoder) object(field func(key []byte) error) error {
	if d.peek() != '{' {
		return d.errorf("want an object")
	}
	if d.depth++; d.depth > maxDepth {
		return d.errorf("nesting too deep")
	}
	defer func() { d.depth-- }()
	d.pos++
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	for {
		key, err := d.rawString()
		if err != nil {
			return err
		}
		if d.peek() != ':' {
			return d.errorf("want ':'")
		}
		d.pos++
		if d.peek() == 'n' {
			if err := d.literal("null"); err != nil {
				return err
			}
		} else if err := field(key); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return d.errorf("want ',' or '}'")
		}
	}
}

func (d *decoder) array(elem func() error) error {
	if d.peek() != '[' {
		return d.errorf("want an array")
	}
	if d.depth++; d.depth > maxDepth {
		return d.errorf("nesting too deep")
	}
	defer func() { d.depth-- }()
	d.pos++
	if d.peek() == ']' {
		d.pos++
		return nil
	}
	for {
		if err := elem(); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return d.errorf("want ',' or ']'")
		}
	}
}

// str reads a string value into dst.
func (d *decoder) str(dst *string) error {
	raw, err := d.rawString()
	if err != nil {
		return err
	}
	*dst = string(raw)
	return nil
}

// rawString reads a JSON string and returns its decoded bytes. Without
// escapes it returns a sub-slice of the input.
func (d *decoder) rawString() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.errorf("want a string")
	}
	start := d.pos + 1
	escaped := false
	for i := start; i < len(d.data); i++ {
		c := d.data[i]
		switch {
		case c == '\\':
			escaped = true
			i++
		case c == '"':
			d.pos = i + 1
			if !escaped {
				if !utf8.Valid(d.data[start:i]) {
					return []byte(string([]rune(string(d.data[start:i])))), nil
				}
				return d.data[start:i], nil
			}
			var s string // rare: let encoding/json apply JSON's escape rules
			if err := json.Unmarshal(d.data[start-1:i+1], &s); err != nil {
				d.pos = start - 1
				return nil, d.errorf("bad string escape")
			}
			return []byte(s), nil
		case c < 0x20:
			d.pos = i
			return nil, d.errorf("control character in string")
		}
	}
	d.pos = len(d.data)
	return nil, d.errorf("unterminated string")
}

// skip consumes any value, validating it.
func (d *decoder) skip() error {
	switch c := d.peek(); {
	case c == '{':
		return d.object(func([]byte) error { return d.skip() })
	case c == '[':
		return d.array(d.skip)
	case c == '"':
		_, err := d.rawString()
		return err
	case c == 't':
		return d.literal("true")
	case c == 'f':
		return d.literal("false")
	case c == 'n':
		return d.literal("null")
	case c == '-' || '0' <= c && c <= '9':
		return d.number()
	default:
		return d.errorf("unexpected character %q", c)
	}
}

func (d *decoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return d.errorf("want %s", word)
	}
	d.pos += len(word)
	return nil
}

func (d *decoder) number() error {
	start := d.pos
	for d.pos < len(d.data) && isNumByte(d.data[d.pos]) {
		d.pos++
	}
	if n := d.data[start:d.pos]; !jsonNumber(n) {
		d.pos = start
		return d.errorf("bad number")
	} else if _, err := strconv.ParseFloat(string(n), 64); err != nil {
		d.pos = start
		return d.errorf("bad number")
	}
	return nil
}

// jsonNumber reports whether b is a number as JSON writes it:
// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? (strconv.ParseFloat also
// takes "+1", "00", ".5" and "1.", which JSON does not).
func jsonNumber(b []byte) bool {
	i := 0
	digits := func() int {
		n := 0
		for i < len(b) && '0' <= b[i] && b[i] <= '9' {
			i, n = i+1, n+1
		}
		return n
	}
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case digits() == 0:
		return false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if digits() == 0 {
			return false
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if digits() == 0 {
			return false
		}
	}
	return i == len(b)
}

func isNumByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}
