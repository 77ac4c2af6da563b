// Package keyedarchive owns decoding Apple NSKeyedArchiver property lists
// (as found in iOS backup Manifest.db records, SMS attributedBody, ...): it
// resolves $objects/$top and their UIDs into plain Go values. It also offers
// a panic-safe plist Unmarshal for untrusted input.
package keyedarchive

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/spyscan/spyscan/internal/plistx"

	"howett.net/plist"
)

// ErrNotArchive means the plist is not an NSKeyedArchiver archive.
var ErrNotArchive = errors.New("not an NSKeyedArchiver archive")

// Limits protecting against hostile archives.
const (
	maxDepth = 64
	maxNodes = 200000
)

// Object is a decoded archived instance of a class without a dedicated
// mapping (e.g. MBFile): its fields, resolved, with Class naming it.
type Object struct {
	Class  string
	Fields map[string]any
}

// Unmarshal decodes a plist from evidence through plistx: it never panics
// and refuses plist bombs.
func Unmarshal(data []byte, v any) error { return plistx.Unmarshal(data, v) }

// Decode decodes an NSKeyedArchiver plist and returns its root object:
// NSDictionary → map[string]any, NSArray/NSSet → []any, NSData → []byte,
// NSString → string, NSDate → time.Time (UTC), $null → nil, numbers and
// booleans as the plist gives them, any other class → Object.
func Decode(data []byte) (any, error) {
	if v, err := parseBinary(data); err == nil {
		if doc, ok := v.(map[string]any); ok {
			return DecodeDocument(doc)
		}
	}
	var doc map[string]any
	if err := Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	return DecodeDocument(doc)
}

// DecodeDocument decodes an already parsed archive plist.
func DecodeDocument(doc map[string]any) (any, error) {
	objs, ok := doc["$objects"].([]any)
	if !ok {
		return nil, fmt.Errorf("%w: no $objects", ErrNotArchive)
	}
	top, ok := doc["$top"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: no $top", ErrNotArchive)
	}
	root, ok := top["root"]
	if !ok {
		// Some archivers name the root differently; take the only entry.
		if len(top) != 1 {
			return nil, fmt.Errorf("%w: no root in $top", ErrNotArchive)
		}
		for _, v := range top {
			root = v
		}
	}
	d := &decoder{objs: objs}
	return d.value(root, 0)
}

type decoder struct {
	objs  []any
	nodes int
}

func (d *decoder) value(v any, depth int) (any, error) {
	d.nodes++
	if d.nodes > maxNodes {
		return nil, errors.New("archive too large or cyclic")
	}
	if depth > maxDepth {
		return nil, errors.New("archive nested too deeply or cyclic")
	}
	uid, ok := v.(plist.UID)
	if !ok {
		return plain(v), nil
	}
	if uint64(uid) >= uint64(len(d.objs)) {
		return nil, fmt.Errorf("UID %d out of range (%d objects)", uid, len(d.objs))
	}
	o := d.objs[uid]
	if s, ok := o.(string); ok && s == "$null" {
		return nil, nil
	}
	m, ok := o.(map[string]any)
	if !ok {
		return plain(o), nil
	}
	cls, _ := d.className(m)
	switch cls {
	case "NSDictionary", "NSMutableDictionary":
		return d.dict(m, depth)
	case "NSArray", "NSMutableArray", "NSSet", "NSMutableSet", "NSOrderedSet", "NSMutableOrderedSet":
		return d.list(m["NS.objects"], depth)
	case "NSData", "NSMutableData":
		b, _ := d.field(m, "NS.data", depth).([]byte)
		return b, nil
	case "NSString", "NSMutableString":
		switch v := d.field(m, "NS.string", depth).(type) {
		case string:
			return v, nil
		case []byte:
			return string(v), nil
		}
		if b, ok := d.field(m, "NS.bytes", depth).([]byte); ok {
			return string(b), nil
		}
		return "", nil
	case "NSDate":
		f, ok := toFloat(d.field(m, "NS.time", depth))
		if !ok || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e11 {
			return nil, errors.New("NSDate without a valid NS.time")
		}
		return appleTime(f), nil
	case "NSURL":
		rel, err := d.value(m["NS.relative"], depth+1)
		if err != nil {
			return nil, err
		}
		return rel, nil
	}
	obj := Object{Class: cls, Fields: make(map[string]any, len(m))}
	for k, fv := range m {
		if k == "$class" {
			continue
		}
		r, err := d.value(fv, depth+1)
		if err != nil {
			if depth > 0 { // name the field at the top level only: a cycle would repeat it
				return nil, err
			}
			return nil, fmt.Errorf("%s.%s: %w", cls, k, err)
		}
		obj.Fields[k] = r
	}
	return obj, nil
}

// field returns m[key], following a UID when an archiver stored the value
// as an object of its own rather than inline; nil when it cannot be read.
func (d *decoder) field(m map[string]any, key string, depth int) any {
	v := m[key]
	if _, ok := v.(plist.UID); !ok {
		return v
	}
	r, err := d.value(v, depth+1)
	if err != nil {
		return nil
	}
	return r
}

// appleTime converts seconds since 2001-01-01 UTC, rounded to the
// microsecond: a double holds no more than that for present-day dates.
// The whole seconds are split off first (math.Modf is exact): scaling the
// whole value to microseconds would round it to the resolution of a double
// near 1e17 (8 µs in the year 4204) before rounding to the microsecond.
func appleTime(f float64) time.Time {
	sec, frac := math.Modf(f)
	us := math.Round(frac * 1e6) // |frac| < 1: the product is exact to 1e-10
	return time.Unix(978307200+int64(sec), int64(us)*1000).UTC()
}

func (d *decoder) className(m map[string]any) (string, bool) {
	uid, ok := m["$class"].(plist.UID)
	if !ok || uint64(uid) >= uint64(len(d.objs)) {
		return "", false
	}
	c, ok := d.objs[uid].(map[string]any)
	if !ok {
		return "", false
	}
	s, ok := c["$classname"].(string)
	return s, ok
}

func (d *decoder) list(v any, depth int) ([]any, error) {
	arr, _ := v.([]any)
	out := make([]any, 0, len(arr))
	for _, e := range arr {
		r, err := d.value(e, depth+1)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

func (d *decoder) dict(m map[string]any, depth int) (map[string]any, error) {
	keys, _ := m["NS.keys"].([]any)
	vals, _ := m["NS.objects"].([]any)
	if len(keys) != len(vals) {
		return nil, fmt.Errorf("NSDictionary with %d keys and %d objects", len(keys), len(vals))
	}
	out := make(map[string]any, len(keys))
	for i := range keys {
		k, err := d.value(keys[i], depth+1)
		if err != nil {
			return nil, err
		}
		v, err := d.value(vals[i], depth+1)
		if err != nil {
			return nil, err
		}
		out[fmt.Sprint(k)] = v
	}
	return out, nil
}

// plain converts inline plist values; nested containers stay as they are.
func plain(v any) any { return v }

func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case int:
		return float64(n), true
	}
	return 0, false
}

// Int returns a field as an int64 (0, false when absent or not a number).
func Int(v any) (int64, bool) {
	switch n := v.(type) {
	case int64:
		return n, true
	case uint64:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case int:
		return int64(n), true
	case float64:
		if math.IsNaN(n) || math.Abs(n) > math.MaxInt64/2 {
			return 0, false
		}
		return int64(n), true
	case bool:
		if n {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}
