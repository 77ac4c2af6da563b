package keyedarchive

import (
	"fmt"
	"sort"
	"time"

	"howett.net/plist"
)

// Encode writes v as a binary NSKeyedArchiver plist, the inverse of Decode:
// map[string]any → NSDictionary, []any → NSArray, []byte → NSMutableData,
// string → NSString, time.Time → NSDate, nil → $null, Object → an instance
// of its class (numbers and booleans inline). Used by fixture generators.
func Encode(v any) ([]byte, error) {
	e := &encoder{objs: []any{"$null"}, classes: map[string]plist.UID{}}
	root, err := e.ref(v)
	if err != nil {
		return nil, err
	}
	doc := map[string]any{
		"$version":  100000,
		"$archiver": "NSKeyedArchiver",
		"$top":      map[string]any{"root": root},
		"$objects":  e.objs,
	}
	return plist.Marshal(doc, plist.BinaryFormat)
}

type encoder struct {
	objs    []any
	classes map[string]plist.UID
}

func (e *encoder) add(o any) plist.UID {
	e.objs = append(e.objs, o)
	return plist.UID(len(e.objs) - 1)
}

func (e *encoder) class(name string, chain ...string) plist.UID {
	if uid, ok := e.classes[name]; ok {
		return uid
	}
	uid := e.add(map[string]any{"$classname": name, "$classes": append([]string{name}, append(chain, "NSObject")...)})
	e.classes[name] = uid
	return uid
}

// ref stores v as an object and returns its UID.
func (e *encoder) ref(v any) (plist.UID, error) {
	switch x := v.(type) {
	case nil:
		return 0, nil
	case string:
		return e.add(x), nil
	case []byte:
		m := map[string]any{"NS.data": x}
		uid := e.add(m)
		m["$class"] = e.class("NSMutableData", "NSData")
		return uid, nil
	case time.Time:
		m := map[string]any{"NS.time": float64(x.UnixNano()-978307200e9) / 1e9}
		uid := e.add(m)
		m["$class"] = e.class("NSDate")
		return uid, nil
	case []any:
		m := map[string]any{}
		uid := e.add(m)
		refs := make([]any, 0, len(x))
		for _, it := range x {
			r, err := e.ref(it)
			if err != nil {
				return 0, err
			}
			refs = append(refs, r)
		}
		m["NS.objects"] = refs
		m["$class"] = e.class("NSArray")
		return uid, nil
	case map[string]any:
		m := map[string]any{}
		uid := e.add(m)
		keys := sortedKeys(x)
		ks, vs := make([]any, 0, len(keys)), make([]any, 0, len(keys))
		for _, k := range keys {
			kr, _ := e.ref(k)
			vr, err := e.ref(x[k])
			if err != nil {
				return 0, err
			}
			ks, vs = append(ks, kr), append(vs, vr)
		}
		m["NS.keys"], m["NS.objects"] = ks, vs
		m["$class"] = e.class("NSDictionary")
		return uid, nil
	case Object:
		m := map[string]any{}
		uid := e.add(m)
		for _, k := range sortedKeys(x.Fields) {
			fv := x.Fields[k]
			switch fv.(type) {
			case int, int64, uint64, int32, uint32, float64, bool:
				m[k] = fv
			default:
				r, err := e.ref(fv)
				if err != nil {
					return 0, fmt.Errorf("%s.%s: %w", x.Class, k, err)
				}
				m[k] = r
			}
		}
		m["$class"] = e.class(x.Class)
		return uid, nil
	case int, int64, uint64, int32, uint32, float64, bool:
		return e.add(x), nil
	}
	return 0, fmt.Errorf("keyedarchive: cannot encode %T", v)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
