package typedstream

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"
)

// Attributed is what a message body holds: its text and the URLs stored
// as attributes of its runs (a link may be shown with other words than the
// address it opens).
type Attributed struct {
	Text string
	// Links are the NSURL values reachable from the root object, in the
	// order they were written, without duplicates.
	Links []string
}

// maxWalk bounds the objects visited when collecting links.
const maxWalk = 100000

// AttributedString decodes an archived NS(Mutable)AttributedString (or a
// plain NS(Mutable)String) such as message.attributedBody. When the archive
// is damaged after the string, the text is returned with the error.
func AttributedString(data []byte) (Attributed, error) {
	if len(data) > DefaultLimits.MaxBytes {
		return Attributed{}, fmt.Errorf("%w: %d bytes (limit %d)", ErrLimit, len(data), DefaultLimits.MaxBytes)
	}
	// The result copies what it keeps, so the decoder and its slabs go back
	// to the pool.
	d := decoders.Get().(*decoder)
	d.reset(data, DefaultLimits)
	defer func() {
		d.reset(nil, Limits{})
		decoders.Put(d)
	}()
	return attributed(d.decode())
}

var decoders = sync.Pool{New: func() any { return new(decoder) }}

func attributed(s *Stream, derr error) (Attributed, error) {
	if s == nil {
		return Attributed{}, derr
	}
	root := rootObject(s)
	if root == nil {
		if derr != nil {
			return Attributed{}, derr
		}
		return Attributed{}, fmt.Errorf("%w: no root object", ErrMalformed)
	}
	var out Attributed
	text, ok := stringOf(root)
	switch {
	case ok:
	case root.Class.Is("NSAttributedString"):
		str := firstObject(root)
		if text, ok = stringOf(str); !ok && derr == nil {
			return Attributed{}, fmt.Errorf("%w: NSAttributedString without its string", ErrMalformed)
		}
	default:
		if derr == nil {
			return Attributed{}, fmt.Errorf("%w: root object is a %s, not a string", ErrMalformed, root.Class.Name)
		}
	}
	if !utf8.ValidString(text) { // checks eight ASCII bytes at a time; ToValidUTF8 decodes every rune
		text = strings.ToValidUTF8(text, "\uFFFD")
	}
	out.Text = text
	out.Links = links(root, 1)
	return out, derr
}

func rootObject(s *Stream) *Object {
	if len(s.Groups) == 0 || len(s.Groups[0].Values) == 0 {
		return nil
	}
	o, _ := s.Groups[0].Values[0].(*Object)
	if o == nil || o.Class == nil {
		return nil
	}
	return o
}

// firstObject returns the first value of an object's first group when it
// is an object.
func firstObject(o *Object) *Object {
	if o == nil || len(o.Groups) == 0 || len(o.Groups[0].Values) == 0 {
		return nil
	}
	v, _ := o.Groups[0].Values[0].(*Object)
	return v
}

// stringOf returns the value of an NSString object: its first group is
// one '+' string of UTF-8 bytes.
func stringOf(o *Object) (string, bool) {
	if o == nil || o.Class == nil || !o.Class.Is("NSString") || len(o.Groups) == 0 {
		return "", false
	}
	g := o.Groups[0]
	if len(g.Types) != 1 || g.Types[0] != "+" || len(g.Values) != 1 {
		return "", false
	}
	b, ok := g.Values[0].([]byte)
	return string(b), ok
}

// urlOf returns the absolute form of an NSURL object: a 'c' flag (1 when
// it is relative), the base NSURL when it is, then an NSString.
func urlOf(o *Object, depth int) (string, bool) {
	if depth > 8 || len(o.Groups) < 2 {
		return "", false
	}
	rel, _ := firstValue(o.Groups[0]).(int64)
	s, ok := stringOf(objectIn(o.Groups[len(o.Groups)-1]))
	if !ok {
		return "", false
	}
	if rel == 1 && len(o.Groups) >= 3 {
		if base := objectIn(o.Groups[1]); base != nil && base.Class.Is("NSURL") {
			if b, ok := urlOf(base, depth+1); ok {
				if bu, err := url.Parse(b); err == nil {
					if ru, err := url.Parse(s); err == nil {
						return bu.ResolveReference(ru).String(), true
					}
				}
			}
		}
	}
	return s, true
}

func firstValue(g Group) Value {
	if len(g.Values) == 0 {
		return nil
	}
	return g.Values[0]
}

func objectIn(g Group) *Object {
	o, _ := firstValue(g).(*Object)
	return o
}

// links walks the object graph from root (cycles allowed) and collects
// every NSURL. mark must differ from the marks of earlier walks of the same
// graph (a fresh graph holds none).
func links(root *Object, mark uint32) []string {
	var out []string
	var buf [32]*Object
	stack := append(buf[:0], root)
	for n := 0; len(stack) > 0 && n < maxWalk; n++ {
		o := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if o == nil || o.Class == nil || o.walk == mark {
			continue
		}
		o.walk = mark
		if o.Class.Is("NSURL") {
			if u, ok := urlOf(o, 0); ok && u != "" && !slices.Contains(out, u) {
				out = append(out, u)
			}
			continue
		}
		// Push children in reverse so they are visited in written order.
		for i := len(o.Groups) - 1; i >= 0; i-- {
			stack = pushObjects(stack, o.Groups[i].Values, 0)
		}
	}
	return out
}

// pushObjects pushes the objects among vals, last first.
func pushObjects(dst []*Object, vals []Value, depth int) []*Object {
	if depth > maxEncodingDepth {
		return dst
	}
	for i := len(vals) - 1; i >= 0; i-- {
		switch x := vals[i].(type) {
		case *Object:
			dst = append(dst, x)
		case []Value:
			dst = pushObjects(dst, x, depth+1)
		case Struct:
			dst = pushObjects(dst, x.Fields, depth+1)
		}
	}
	return dst
}
