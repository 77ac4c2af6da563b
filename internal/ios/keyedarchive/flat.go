package keyedarchive

import (
	"sync"

	"howett.net/plist"
)

// flatParsers are DecodeFlat's parsers, kept for archives of at most
// maxPooledObjects objects (an MBFile has about twenty).
var flatParsers = sync.Pool{New: func() any { return new(bparser) }}

const maxPooledObjects = 256

// DecodeFlat decodes, faster than Decode, an archive of the shape of
// Manifest.db's MBFile records: a binary plist whose root is an instance
// of a class without a dedicated mapping (Decode returns an Object for
// it), whose fields are plain values or references to $null, plain values
// or NSData with inline bytes. It sets vals[i] to the value of field
// names[i] as Decode's Object.Fields holds it (nil when absent); the other
// fields are checked, not built. ok is false when the archive has another
// shape or Decode would fail on it: the caller then calls Decode, which
// gives the same values or the error (TestDecodeFlatAsDecode and
// FuzzDecodeFlat hold it to that).
func DecodeFlat(data []byte, names []string, vals []any) (ok bool) {
	clear(vals)
	// The parser comes from a pool: Manifest.db decodes one archive per
	// file, and a new parser each time was 0.6 KB and three allocations.
	p := flatParsers.Get().(*bparser)
	defer func() {
		if cap(p.cache) > maxPooledObjects {
			return // a large archive's tables are not kept
		}
		clear(p.cache[:cap(p.cache)]) // no value outlives the call through the pool
		p.data, p.table = nil, nil
		flatParsers.Put(p)
	}()
	top, err := p.reset(data)
	if err != nil {
		return false
	}
	// Everything Decode's parseBinary reads must parse, in the same order
	// (its depth and cycle checks depend on it).
	p.checkOnly = true
	if _, err := p.object(top, 0); err != nil {
		return false
	}
	// Every object reachable from top is now parsed (state 2), its UIDs
	// cached as such: uid reads them there, and value parses a wanted
	// plain value anew (a second walk of the graph was half the time).
	p.checkOnly = false
	f := flat{p: p}
	return f.decode(top, names, vals)
}

type flat struct {
	p    *bparser
	objs refs // $objects
}

// refs are the object references of an array, or of a dictionary's keys
// or values, read in place.
type refs struct {
	raw  []byte
	size int
}

func (r refs) len() int     { return len(r.raw) / max(r.size, 1) }
func (r refs) at(j int) int { return int(readUint(r.raw[j*r.size : (j+1)*r.size])) }

// maxFlatFields bounds the fields of a root DecodeFlat takes on (an MBFile
// has about fifteen); Decode counts nodes against maxNodes.
const maxFlatFields = 256

func (f *flat) decode(top int, names []string, vals []any) bool {
	docK, docV, ok := f.dict(top)
	if !ok {
		return false
	}
	objsAt, topAt := f.lookup(docK, docV, "$objects"), f.lookup(docK, docV, "$top")
	if objsAt < 0 || topAt < 0 {
		return false
	}
	if f.objs, ok = f.container(objsAt, 0xA); !ok {
		return false
	}
	topK, topV, ok := f.dict(topAt)
	if !ok {
		return false
	}
	rootAt := f.lookup(topK, topV, "root")
	if rootAt < 0 {
		return false // Decode's fallback to $top's only entry is left to it
	}
	root, ok := f.uid(rootAt)
	if !ok {
		return false
	}
	keys, values, ok := f.dict(root)
	if !ok || keys.len() > maxFlatFields {
		return false
	}
	cls, ok := f.classOf(keys, values)
	if !ok {
		return false
	}
	switch string(cls) {
	case "NSDictionary", "NSMutableDictionary", "NSArray", "NSMutableArray", "NSSet", "NSMutableSet",
		"NSOrderedSet", "NSMutableOrderedSet", "NSData", "NSMutableData", "NSString", "NSMutableString",
		"NSDate", "NSURL":
		return false
	}
	for j := range keys.len() {
		name := f.ascii(keys.at(j))
		if string(name) == "$class" {
			continue
		}
		want := -1
		for i, n := range names {
			if n == string(name) {
				want = i
			}
		}
		v, ok := f.field(values.at(j), want >= 0)
		if !ok {
			return false
		}
		if want >= 0 {
			vals[want] = v // a later duplicate key wins, as in Decode's map
		}
	}
	return true
}

// field is a root field's value as Decode resolves it (built only when
// wanted), or false when Decode would resolve it otherwise than DecodeFlat
// does (or fail).
func (f *flat) field(at int, want bool) (any, bool) {
	if m, ok := f.marker(at); !ok || m>>4 != 0x8 {
		return f.value(at, want) // a plain value, as it is
	}
	o, ok := f.uid(at)
	if !ok {
		return nil, false
	}
	if m, ok := f.marker(o); !ok || m>>4 != 0xD {
		v, ok := f.value(o, want) // a plain value by reference
		if s, isStr := v.(string); isStr && s == "$null" {
			return nil, ok
		}
		return v, ok
	}
	keys, values, ok := f.dict(o)
	if !ok {
		return nil, false
	}
	switch cls, ok := f.classOf(keys, values); {
	case !ok:
		return nil, false
	case string(cls) != "NSData" && string(cls) != "NSMutableData":
		return nil, false // left to Decode
	}
	data := f.lookup(keys, values, "NS.data")
	if data < 0 {
		return []byte(nil), true
	}
	if m, ok := f.marker(data); !ok || m>>4 == 0x8 {
		return nil, false // NS.data by reference: left to Decode
	}
	v, ok := f.value(data, want)
	b, _ := v.([]byte)
	return b, ok
}

// value is object i's parsed value when wanted, else nil; false for a
// wanted container (the check pass cached no values of its elements: left
// to Decode). The value replaces the check's in the cache (stateValue).
func (f *flat) value(i int, want bool) (any, bool) {
	if !want {
		return nil, true
	}
	off := f.p.offset(i)
	if off < 0 {
		return nil, false
	}
	if m := f.p.data[off] >> 4; m == 0xA || m == 0xD {
		return nil, false
	}
	p := f.p
	if p.state[i] == stateValue {
		return p.cache[i], true // one value for the fields that share the object, as Decode gives
	}
	v, err := p.parse(off, 0)
	if err != nil {
		return nil, false
	}
	p.cache[i], p.state[i] = v, stateValue
	return v, true
}

// classOf is the class name of an instance (its keys and values), read
// as decoder.className reads it ("" when it has none); false when it is
// not an ASCII string DecodeFlat can compare.
func (f *flat) classOf(keys, values refs) ([]byte, bool) {
	at := f.lookup(keys, values, "$class")
	if at < 0 {
		return nil, true
	}
	if m, ok := f.marker(at); !ok || m>>4 != 0x8 {
		return nil, true
	}
	c, ok := f.uid(at)
	if !ok {
		return nil, true
	}
	if m, ok := f.marker(c); !ok || m>>4 != 0xD {
		return nil, true
	}
	ck, cv, ok := f.dict(c)
	if !ok {
		return nil, false
	}
	name := f.lookup(ck, cv, "$classname")
	if name < 0 {
		return nil, true
	}
	switch m, _ := f.marker(name); m >> 4 {
	case 0x5:
		return f.ascii(name), true
	case 0x6:
		return nil, false
	}
	return nil, true
}

// dict returns the key and value references of dictionary object i, whose
// keys must all be ASCII strings (a key DecodeFlat could not compare is
// left to Decode).
func (f *flat) dict(i int) (keys, values refs, ok bool) {
	all, ok := f.container(i, 0xD)
	if !ok {
		return refs{}, refs{}, false
	}
	half := len(all.raw) / 2
	keys, values = refs{all.raw[:half], all.size}, refs{all.raw[half:], all.size}
	for j := range keys.len() {
		if m, ok := f.marker(keys.at(j)); !ok || m>>4 != 0x5 {
			return refs{}, refs{}, false
		}
	}
	return keys, values, true
}

// container reads the references of container object i of kind
// (0xA array, 0xD dictionary: keys, then values).
func (f *flat) container(i int, kind byte) (refs, bool) {
	p := f.p
	m, ok := f.marker(i)
	if !ok || m>>4 != kind {
		return refs{}, false
	}
	n, at, err := p.count(p.offset(i))
	if err != nil {
		return refs{}, false
	}
	k := 1
	if kind == 0xD {
		k = 2
	}
	raw, ok := p.span(at, k*n*p.refSize)
	return refs{raw, p.refSize}, ok
}

// lookup is the value object number of the last key equal to name, or -1.
func (f *flat) lookup(keys, values refs, name string) int {
	at := -1
	for j := range keys.len() {
		if string(f.ascii(keys.at(j))) == name {
			at = values.at(j)
		}
	}
	return at
}

// ascii is the text of ASCII string object i (checked by dict), in place.
func (f *flat) ascii(i int) []byte {
	p := f.p
	n, at, err := p.count(p.offset(i))
	if err != nil {
		return nil
	}
	b, _ := p.span(at, n)
	return b
}

// uid is the object number $objects holds at the UID of object i.
func (f *flat) uid(i int) (int, bool) {
	v, err := f.p.object(i, 0)
	if err != nil {
		return 0, false
	}
	u, ok := v.(plist.UID)
	if !ok || uint64(u) >= uint64(f.objs.len()) {
		return 0, false
	}
	return f.objs.at(int(u)), true
}

// marker is the marker byte of object i.
func (f *flat) marker(i int) (byte, bool) {
	off := f.p.offset(i)
	if off < 0 {
		return 0, false
	}
	return f.p.data[off], true
}
