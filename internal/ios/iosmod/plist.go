package iosmod

import (
	"encoding/base64"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/plistx"
)

// MaxPlist bounds the size of a plist read into memory.
const MaxPlist = 64 << 20

// DecodePlist decodes a binary, XML or OpenStep plist into generic values
// (map[string]any, []any, string, uint64, int64, float64, bool, []byte,
// time.Time, plist.UID) through plistx: a decoder panic or a plist bomb on
// hostile input becomes an error.
func DecodePlist(data []byte) (v any, err error) {
	if err := plistx.Unmarshal(data, &v); err != nil {
		return nil, fmt.Errorf("malformed plist: %w", err)
	}
	return v, nil
}

// Dict returns v as a dictionary (nil if it is not one).
func Dict(v any) map[string]any { m, _ := v.(map[string]any); return m }

// List returns v as an array (nil if it is not one).
func List(v any) []any { l, _ := v.([]any); return l }

// Str returns v as a string ("" if it is not one).
func Str(v any) string { s, _ := v.(string); return s }

// Num returns a plist number as a float64.
func Num(v any) (float64, bool) {
	switch n := v.(type) {
	case uint64:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case float32:
		return float64(n), true
	}
	return 0, false
}

// PlistTime returns a plist date, or a number read as Core Data seconds.
func PlistTime(v any) time.Time {
	if t, ok := v.(time.Time); ok {
		return t.UTC()
	}
	if f, ok := Num(v); ok {
		return model.FromAppleSeconds(f)
	}
	return time.Time{}
}

// JSONValue turns a decoded plist value into a value whose JSON encoding is
// stable and readable: data as base64 strings, dates in UTC, maps with
// sorted keys (encoding/json sorts map keys already).
func JSONValue(v any) any {
	switch x := v.(type) {
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	case time.Time:
		if !JSONTime(x) {
			return x.UTC().String() // JSON dates need a four-digit year
		}
		return x.UTC()
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x) // JSON has no NaN or infinities
		}
		return x
	case float32:
		return JSONValue(float64(x))
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = JSONValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = JSONValue(e)
		}
		return out
	}
	return v
}

// Strings calls fn with every string found in v (a decoded plist or JSON
// value), map keys included, in a deterministic order. Depth is bounded.
func Strings(v any, fn func(string)) { walkStrings(v, fn, 0) }

func walkStrings(v any, fn func(string), depth int) {
	if depth > 64 {
		return
	}
	switch x := v.(type) {
	case string:
		fn(x)
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fn(k)
			walkStrings(x[k], fn, depth+1)
		}
	case []any:
		for _, e := range x {
			walkStrings(e, fn, depth+1)
		}
	}
}

// SortedKeys returns the keys of m in order.
func SortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// JSONTime reports whether t can be written as a JSON (RFC 3339) date: its
// year is within 0..9999.
func JSONTime(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 0 && y <= 9999
}

// ValidTime returns t in UTC, or the zero time when t cannot be written as
// a JSON date (a corrupt or hostile timestamp).
func ValidTime(t time.Time) time.Time {
	if t.IsZero() || !JSONTime(t) {
		return time.Time{}
	}
	return t.UTC()
}
