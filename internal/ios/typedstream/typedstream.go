// Package typedstream decodes Apple's typedstream format: the archive that
// NSArchiver writes (header "\x04\x0bstreamtyped" on little-endian machines,
// "typedstream" on big-endian ones). iOS stores the body of an iMessage/SMS
// in it (message.attributedBody, an archived NSAttributedString), and on
// recent iOS versions that column may be the only place where the words of
// a message are.
//
// The decoder is written for evidence: it never panics, it reads at most
// Limits.MaxBytes, nests at most Limits.MaxDepth values and builds at most
// Limits.MaxValues values, and every reference is checked against the
// tables built so far. On malformed input it returns what it decoded before
// the fault together with the error, so a caller can keep a message text
// that precedes a corrupted attribute.
//
// The format: after the header, a stream of typed groups. A group starts
// with a type-encoding string (Objective-C @encode syntax, shared and
// back-referenced), followed by one value per type. Integers use a head byte
// (literal, or 0x81/0x82/0x87 for 2/4/8 little- or big-endian bytes), 0x83
// starts a float, 0x84 a new string/object/class, 0x85 is nil, 0x86 ends an
// object, and bytes from 0x92 up are back-references. Objects carry their
// class chain (name and version of each class up to a root or an
// already-seen class) and then groups until 0x86. C strings, classes and
// objects share one reference table; type encodings and class names share
// another.
package typedstream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
)

// Errors; every error returned wraps one of them.
var (
	// ErrNotTypedstream means the data does not start with a typedstream header.
	ErrNotTypedstream = errors.New("not a typedstream")
	// ErrTruncated means the data ends in the middle of a value.
	ErrTruncated = errors.New("typedstream truncated")
	// ErrMalformed means the data breaks the format.
	ErrMalformed = errors.New("malformed typedstream")
	// ErrLimit means the data exceeds a size, depth or count limit.
	ErrLimit = errors.New("typedstream exceeds a limit")
)

// Limits bound the work done on one input.
type Limits struct {
	MaxBytes  int // input size
	MaxDepth  int // nesting of objects, arrays and structs
	MaxValues int // values built, all kinds together
}

// DefaultLimits suit message bodies and other small archives: the largest
// attributedBody seen in real message databases is a few hundred KiB.
var DefaultLimits = Limits{MaxBytes: 4 << 20, MaxDepth: 64, MaxValues: 1 << 20}

// Value is one decoded value: nil, bool, int64 (signed C types), uint64
// (unsigned C types), float64, []byte ('+' strings and byte arrays, sliced
// from the input), CString ('*', '%' and ':' values), *Class, *Object,
// []Value (arrays) or Struct.
type Value = any

// CString is a C string, atom or selector value.
type CString string

// Struct is a C struct value.
type Struct struct {
	Name   string
	Fields []Value
}

// Class is one class of an object's class chain.
type Class struct {
	Name    string
	Version int64
	Super   *Class
}

// Is reports whether the class or one of its superclasses is named name.
func (c *Class) Is(name string) bool {
	for n := 0; c != nil && n < maxChain; c, n = c.Super, n+1 {
		if c.Name == name {
			return true
		}
	}
	return false
}

// maxChain bounds walks along a class chain (a chain cannot loop, since
// a class can only name an earlier class as its superclass, but a walk stays
// bounded anyway).
const maxChain = 256

// Group is one typed group: the types of its values and the values.
type Group struct {
	Types  []string
	Values []Value
}

// Object is an archived object: its class chain and the groups it wrote.
// Objects may reference each other in cycles.
type Object struct {
	Class  *Class
	Groups []Group
	walk   uint32 // visit mark of graph walks
}

// Stream is a decoded typedstream.
type Stream struct {
	Version       int    // streamer version (4 on every Apple system since NeXTSTEP)
	SystemVersion uint64 // 1000 on Mac OS X and iOS
	BigEndian     bool
	Groups        []Group // top-level groups
}

// Decode decodes data with DefaultLimits.
func Decode(data []byte) (*Stream, error) { return DecodeLimits(data, DefaultLimits) }

// DecodeLimits decodes data. On error the returned Stream (nil only when
// the header is unusable) holds what was decoded before the fault.
func DecodeLimits(data []byte, lim Limits) (*Stream, error) {
	if lim.MaxBytes > 0 && len(data) > lim.MaxBytes {
		return nil, fmt.Errorf("%w: %d bytes (limit %d)", ErrLimit, len(data), lim.MaxBytes)
	}
	d := &decoder{}
	d.reset(data, lim)
	return d.decode()
}

// decode decodes d.data.
func (d *decoder) decode() (*Stream, error) {
	s, err := d.header()
	if err != nil {
		return nil, err
	}
	for d.pos < len(d.data) {
		g, err := d.group(0, 0, false)
		if len(g.Types) > 0 {
			s.Groups = append(s.Groups, g)
		}
		if err != nil {
			return s, err
		}
	}
	return s, nil
}

// head-byte tags, as signed bytes.
const (
	tagInt2     = -127 // 0x81
	tagInt4     = -126 // 0x82
	tagFloat    = -125 // 0x83
	tagNew      = -124 // 0x84
	tagNil      = -123 // 0x85
	tagEnd      = -122 // 0x86
	tagInt8     = -121 // 0x87 (8-byte integers, written for large NSNumber values)
	firstTag    = -128
	lastTag     = -111
	firstRefNum = lastTag + 1 // 0x92 encodes reference 0
)

type decoder struct {
	data   []byte
	pos    int
	order  binary.ByteOrder
	lim    Limits
	values int

	strings []string   // shared strings: type encodings and class names
	parsed  []*encoded // parsed type encodings, by shared-string index
	refs    []any      // C strings (CString), classes (*Class), objects (*Object)

	// Values, groups, objects and classes are carved from slabs: a message
	// body holds a few dozen of each, and one allocation per value
	// dominated the decoding time. A pooled decoder (AttributedString,
	// whose result keeps nothing of the graph) reuses them.
	vals    slab[Value]
	groups  slab[Group]
	objects slab[Object]
	classes slab[Class]

	// recent are the first shared strings of the streams this decoder
	// decoded before, by index, with their parsed type encodings: message
	// bodies share their class names and type encodings in the same order,
	// and comparing with the string at the same index costs less than the
	// interned map's lookup (or a copy).
	recent []internedString
}

// maxRecent bounds recent.
const maxRecent = 64

// reset prepares d to decode data, keeping its buffers.
func (d *decoder) reset(data []byte, lim Limits) {
	clear(d.refs)
	clear(d.strings)
	clear(d.parsed)
	*d = decoder{data: data, lim: lim, refs: d.refs[:0], strings: d.strings[:0], parsed: d.parsed[:0],
		vals: d.vals, groups: d.groups, objects: d.objects, classes: d.classes, recent: d.recent}
	d.vals.reset()
	d.groups.reset()
	d.objects.reset()
	d.classes.reset()
}

// slab hands out slices of chunks it allocated, doubling their size.
type slab[T any] struct {
	chunks [][]T
	cur    int // chunk in use
	used   int // elements used in it
}

func (s *slab[T]) take(n int) []T {
	if s.cur < len(s.chunks) && len(s.chunks[s.cur])-s.used >= n {
		out := s.chunks[s.cur][s.used : s.used+n : s.used+n]
		s.used += n
		return out
	}
	if s.cur < len(s.chunks) && s.used > 0 {
		s.cur++ // leave the partly used chunk
	}
	if s.cur < len(s.chunks) && len(s.chunks[s.cur]) < n {
		s.chunks = s.chunks[:s.cur] // too small: replaced below
	}
	if s.cur == len(s.chunks) {
		size := 8
		if k := len(s.chunks); k > 0 {
			size = 2 * len(s.chunks[k-1])
		}
		s.chunks = append(s.chunks, make([]T, max(size, n)))
	}
	s.used = n
	return s.chunks[s.cur][:n:n]
}

// reset makes every chunk free again, dropping what they referenced.
func (s *slab[T]) reset() {
	for i := 0; i < len(s.chunks) && i <= s.cur; i++ {
		clear(s.chunks[i])
	}
	s.cur, s.used = 0, 0
}

// keep copies a group's values into the value slab.
func (d *decoder) keep(vals []Value) []Value {
	if len(vals) == 0 {
		return nil
	}
	out := d.vals.take(len(vals))
	copy(out, vals)
	return out
}

func (d *decoder) newObject() *Object { return &d.objects.take(1)[0] }

func (d *decoder) newClass(name string, version int64) *Class {
	c := &d.classes.take(1)[0]
	c.Name, c.Version = name, version
	return c
}

// encoded is a type-encoding string parsed once and shared by every group
// that uses it.
type encoded struct {
	types []*typ
	names []string
}

func (d *decoder) errf(kind error, format string, args ...any) error {
	return fmt.Errorf("%w at offset %d: %s", kind, d.pos, fmt.Sprintf(format, args...))
}

func (d *decoder) header() (*Stream, error) {
	if len(d.data) < 2 {
		return nil, fmt.Errorf("%w: %d bytes", ErrNotTypedstream, len(d.data))
	}
	version, sigLen := int(d.data[0]), int(d.data[1])
	if version != 4 || sigLen != 11 || len(d.data) < 2+sigLen {
		return nil, fmt.Errorf("%w: header %x", ErrNotTypedstream, d.data[:min(len(d.data), 13)])
	}
	s := &Stream{Version: version}
	switch string(d.data[2:13]) {
	case "streamtyped":
		d.order = binary.LittleEndian
	case "typedstream":
		d.order, s.BigEndian = binary.BigEndian, true
	default:
		return nil, fmt.Errorf("%w: signature %q", ErrNotTypedstream, d.data[2:13])
	}
	d.pos = 13
	sys, err := d.uint(nil)
	if err != nil {
		return nil, err
	}
	s.SystemVersion = sys
	return s, nil
}

// count charges one built value against MaxValues.
func (d *decoder) count() error {
	d.values++
	if d.lim.MaxValues > 0 && d.values > d.lim.MaxValues {
		return d.errf(ErrLimit, "more than %d values", d.lim.MaxValues)
	}
	return nil
}

func (d *decoder) take(n int) ([]byte, error) {
	if n < 0 || n > len(d.data)-d.pos {
		return nil, d.errf(ErrTruncated, "%d bytes wanted, %d left", n, len(d.data)-d.pos)
	}
	b := d.data[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

// headByte returns h when it is set (a byte already read), else reads one.
func (d *decoder) headByte(h *int8) (int8, error) {
	if h != nil {
		return *h, nil
	}
	b, err := d.take(1)
	if err != nil {
		return 0, err
	}
	return int8(b[0]), nil
}

func (d *decoder) int(h *int8) (int64, error) {
	head, err := d.headByte(h)
	if err != nil {
		return 0, err
	}
	if head < firstTag || head > lastTag {
		return int64(head), nil
	}
	n := 0
	switch head {
	case tagInt2:
		n = 2
	case tagInt4:
		n = 4
	case tagInt8:
		n = 8
	default:
		return 0, d.errf(ErrMalformed, "tag %#x where an integer was expected", uint8(head))
	}
	b, err := d.take(n)
	if err != nil {
		return 0, err
	}
	switch n {
	case 2:
		return int64(int16(d.order.Uint16(b))), nil
	case 4:
		return int64(int32(d.order.Uint32(b))), nil
	}
	return int64(d.order.Uint64(b)), nil
}

func (d *decoder) uint(h *int8) (uint64, error) {
	head, err := d.headByte(h)
	if err != nil {
		return 0, err
	}
	if head < firstTag || head > lastTag {
		return uint64(uint8(head)), nil
	}
	v, err := d.int(&head)
	if err != nil {
		return 0, err
	}
	switch head {
	case tagInt2:
		return uint64(uint16(v)), nil
	case tagInt4:
		return uint64(uint32(v)), nil
	}
	return uint64(v), nil
}

func (d *decoder) float(h *int8, size int) (float64, error) {
	head, err := d.headByte(h)
	if err != nil {
		return 0, err
	}
	if head != tagFloat {
		v, err := d.int(&head)
		return float64(v), err
	}
	b, err := d.take(size)
	if err != nil {
		return 0, err
	}
	if size == 4 {
		return float64(math.Float32frombits(d.order.Uint32(b))), nil
	}
	return math.Float64frombits(d.order.Uint64(b)), nil
}

// length reads a string or array length.
func (d *decoder) length(h *int8) (int, error) {
	n, err := d.uint(h)
	if err != nil {
		return 0, err
	}
	if n > uint64(len(d.data)-d.pos) {
		return 0, d.errf(ErrTruncated, "length %d, %d bytes left", n, len(d.data)-d.pos)
	}
	return int(n), nil
}

// unshared reads a literal string; ok is false for nil.
func (d *decoder) unshared(h *int8) (b []byte, ok bool, err error) {
	head, err := d.headByte(h)
	if err != nil || head == tagNil {
		return nil, false, err
	}
	n, err := d.length(&head)
	if err != nil {
		return nil, false, err
	}
	b, err = d.take(n)
	return b, err == nil, err
}

// shared reads a shared string (type encoding, class name) and its index
// in the shared-string table; ok is false for nil.
func (d *decoder) shared(h *int8) (s string, idx int, ok bool, err error) {
	head, err := d.headByte(h)
	if err != nil || head == tagNil {
		return "", 0, false, err
	}
	if head == tagNew {
		b, ok, err := d.unshared(nil)
		if err != nil {
			return "", 0, false, err
		}
		if !ok {
			return "", 0, false, d.errf(ErrMalformed, "nil literal shared string")
		}
		if err := d.count(); err != nil {
			return "", 0, false, err
		}
		in := d.internShared(b)
		d.strings = append(d.strings, in.s)
		d.parsed = append(d.parsed, in.enc)
		return d.strings[len(d.strings)-1], len(d.strings) - 1, true, nil
	}
	r, err := d.int(&head)
	if err != nil {
		return "", 0, false, err
	}
	i := r - firstRefNum
	if i < 0 || i >= int64(len(d.strings)) {
		return "", 0, false, d.errf(ErrMalformed, "shared string reference %d of %d", i, len(d.strings))
	}
	return d.strings[i], int(i), true, nil
}

// internShared returns the shared string b, read at index len(d.strings):
// the recent one at that index when it is the same, else the interned one
// (or a copy), which then becomes the recent one.
func (d *decoder) internShared(b []byte) internedString {
	k := len(d.strings)
	if k < len(d.recent) && d.recent[k].s == string(b) {
		return d.recent[k]
	}
	in, ok := interned[string(b)] // no allocation for the lookup
	if !ok {
		in.s = string(b)
	}
	switch {
	case k < len(d.recent):
		d.recent[k] = in
	case k == len(d.recent) && k < maxRecent:
		d.recent = append(d.recent, in)
	}
	return in
}

// ref resolves an object-table reference whose head byte is head.
func (d *decoder) ref(head int8) (any, error) {
	r, err := d.int(&head)
	if err != nil {
		return nil, err
	}
	i := r - firstRefNum
	if i < 0 || i >= int64(len(d.refs)) {
		return nil, d.errf(ErrMalformed, "reference %d of %d", i, len(d.refs))
	}
	return d.refs[i], nil
}

// group reads one typed group (type encodings, then one value each). When
// inObject is set, the group belongs to an object and h holds its head byte.
func (d *decoder) group(depth int, h int8, haveHead bool) (Group, error) {
	var hp *int8
	if haveHead {
		hp = &h
	}
	enc, idx, ok, err := d.shared(hp)
	if err != nil {
		return Group{}, err
	}
	if !ok || len(enc) == 0 {
		return Group{}, d.errf(ErrMalformed, "nil or empty type encoding")
	}
	e := d.parsed[idx]
	if e == nil {
		types, err := parseEncodings(enc)
		if err != nil {
			return Group{}, d.errf(ErrMalformed, "type encoding %q: %v", enc, err)
		}
		e = newEncoded(types)
	}
	d.parsed[idx] = e
	if idx < len(d.recent) && d.recent[idx].enc == nil && d.recent[idx].s == enc {
		d.recent[idx].enc = e // parsed once for the streams that share it
	}
	var buf [4]Value
	vals := buf[:0]
	for _, t := range e.types {
		v, err := d.value(t, depth)
		if v != nil || err == nil {
			vals = append(vals, v)
		}
		if err != nil {
			return Group{Types: e.names, Values: d.keep(vals)}, err
		}
	}
	return Group{Types: e.names, Values: d.keep(vals)}, nil
}

func newEncoded(types []*typ) *encoded {
	e := &encoded{types: types, names: make([]string, len(types))}
	for i, t := range types {
		e.names[i] = t.enc
	}
	return e
}

// interned are shared strings (class names, type encodings) common enough
// to be kept once for every decoder rather than copied for each stream.
// The common type encodings are parsed once for every decoder: the
// one-character types and the groups message bodies use.
var interned = func() map[string]internedString {
	m := map[string]internedString{}
	for _, c := range []string{"NSObject", "NSString", "NSMutableString", "NSAttributedString", "NSMutableAttributedString",
		"NSDictionary", "NSMutableDictionary", "NSArray", "NSMutableArray", "NSSet", "NSMutableSet", "NSNumber", "NSValue",
		"NSData", "NSMutableData", "NSURL", "NSDate", "NSColor", "NSFont", "NSParagraphStyle"} {
		m[c] = internedString{s: c}
	}
	for _, enc := range append(strings.Split(scalars, ""), "iI", "@@", "@i", "ii", "II", "qq", "dd", "ff") {
		types, err := parseEncodings(enc)
		if err != nil {
			panic(err)
		}
		m[enc] = internedString{s: enc, enc: newEncoded(types)}
	}
	return m
}()

// internedString is a shared string kept once, with its parsed type
// encoding when it is one.
type internedString struct {
	s   string
	enc *encoded
}

func (d *decoder) value(t *typ, depth int) (Value, error) {
	if d.lim.MaxDepth > 0 && depth > d.lim.MaxDepth {
		return nil, d.errf(ErrLimit, "nested deeper than %d", d.lim.MaxDepth)
	}
	if err := d.count(); err != nil {
		return nil, err
	}
	switch t.kind {
	case 'B':
		b, err := d.take(1)
		if err != nil {
			return nil, err
		}
		if b[0] > 1 {
			return nil, d.errf(ErrMalformed, "boolean %d", b[0])
		}
		return b[0] == 1, nil
	case 'c':
		b, err := d.take(1)
		if err != nil {
			return nil, err
		}
		return int64(int8(b[0])), nil
	case 'C':
		b, err := d.take(1)
		if err != nil {
			return nil, err
		}
		return uint64(b[0]), nil
	case 's', 'i', 'l', 'q':
		return d.int(nil)
	case 'S', 'I', 'L', 'Q':
		return d.uint(nil)
	case 'f':
		return d.float(nil, 4)
	case 'd':
		return d.float(nil, 8)
	case '+':
		b, ok, err := d.unshared(nil)
		if !ok {
			return nil, err
		}
		return b, err
	case '%', ':':
		s, _, ok, err := d.shared(nil)
		if !ok {
			return nil, err
		}
		return CString(s), nil
	case '*':
		return d.cstring()
	case '#':
		c, err := d.class(nil)
		if c == nil {
			return nil, err
		}
		return c, err
	case '@':
		o, err := d.object(depth)
		if o == nil {
			return nil, err
		}
		return o, err
	case '!':
		return nil, nil
	case '[':
		if t.elem.kind == 'c' || t.elem.kind == 'C' {
			b, err := d.take(t.n)
			if err != nil {
				return nil, err
			}
			return b, nil
		}
		if t.n > len(d.data)-d.pos {
			return nil, d.errf(ErrTruncated, "array of %d, %d bytes left", t.n, len(d.data)-d.pos)
		}
		arr := make([]Value, 0, t.n)
		for range t.n {
			v, err := d.value(t.elem, depth+1)
			arr = append(arr, v)
			if err != nil {
				return arr, err
			}
		}
		return arr, nil
	case '{':
		st := Struct{Name: t.name, Fields: make([]Value, 0, len(t.fields))}
		for _, f := range t.fields {
			v, err := d.value(f, depth+1)
			st.Fields = append(st.Fields, v)
			if err != nil {
				return st, err
			}
		}
		return st, nil
	}
	return nil, d.errf(ErrMalformed, "type %q", t.enc)
}

func (d *decoder) cstring() (Value, error) {
	head, err := d.headByte(nil)
	if err != nil || head == tagNil {
		return nil, err
	}
	if head != tagNew {
		r, err := d.ref(head)
		if err != nil {
			return nil, err
		}
		s, ok := r.(CString)
		if !ok {
			return nil, d.errf(ErrMalformed, "C string reference to a %T", r)
		}
		return s, nil
	}
	b, _, ok, err := d.shared(nil)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, d.errf(ErrMalformed, "nil literal C string")
	}
	v := Value(CString(b)) // boxed once, for the table and the caller
	d.refs = append(d.refs, v)
	return v, nil
}

// class reads a class chain; nil without error is a Nil class.
func (d *decoder) class(h *int8) (*Class, error) {
	head, err := d.headByte(h)
	if err != nil {
		return nil, err
	}
	// Literal classes come subclass first; each is numbered in stream order.
	var buf [8]*Class
	chain := buf[:0]
	for head == tagNew {
		name, _, ok, err := d.shared(nil)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, d.errf(ErrMalformed, "nil class name")
		}
		version, err := d.int(nil)
		if err != nil {
			return nil, err
		}
		if err := d.count(); err != nil {
			return nil, err
		}
		c := d.newClass(name, version)
		if len(chain) > 0 {
			chain[len(chain)-1].Super = c
		}
		chain = append(chain, c)
		d.refs = append(d.refs, c)
		if head, err = d.headByte(nil); err != nil {
			return nil, err
		}
	}
	var last *Class
	if head != tagNil {
		r, err := d.ref(head)
		if err != nil {
			return nil, err
		}
		c, ok := r.(*Class)
		if !ok {
			return nil, d.errf(ErrMalformed, "class reference to a %T", r)
		}
		last = c
	}
	if len(chain) == 0 {
		return last, nil
	}
	chain[len(chain)-1].Super = last
	return chain[0], nil
}

// object reads an object, a reference or nil. A partly read object is
// returned with the error.
func (d *decoder) object(depth int) (*Object, error) {
	head, err := d.headByte(nil)
	if err != nil || head == tagNil {
		return nil, err
	}
	if head != tagNew {
		r, err := d.ref(head)
		if err != nil {
			return nil, err
		}
		o, ok := r.(*Object)
		if !ok {
			return nil, d.errf(ErrMalformed, "object reference to a %T", r)
		}
		return o, nil
	}
	o := d.newObject()
	d.refs = append(d.refs, o) // numbered before its class
	if o.Class, err = d.class(nil); err != nil {
		return o, err
	}
	if o.Class == nil {
		return o, d.errf(ErrMalformed, "object without a class")
	}
	var buf [4]Group
	groups := buf[:0]
	for {
		h, err := d.headByte(nil)
		if err == nil && h == tagEnd {
			o.Groups = d.keepGroups(groups)
			return o, nil
		}
		var g Group
		if err == nil {
			g, err = d.group(depth+1, h, true)
			if len(g.Types) > 0 {
				groups = append(groups, g)
			}
		}
		if err != nil {
			o.Groups = d.keepGroups(groups)
			return o, err
		}
	}
}

// keepGroups copies an object's groups into the group slab.
func (d *decoder) keepGroups(gs []Group) []Group {
	if len(gs) == 0 {
		return nil
	}
	out := d.groups.take(len(gs))
	copy(out, gs)
	return out
}
