// Package modutil owns the small helpers shared by the iOS system-artifact
// modules: bounded reads of untrusted files from the acquisition and the
// conversion of decoded plist values into stable JSON-friendly forms.
package modutil

import (
	"encoding/base64"
	"fmt"
	"io"
	"io/fs"
	"math"
	"sort"
	"time"
)

// MaxPlist bounds the size of a plist or JSON file a module reads whole.
const MaxPlist = 64 << 20

// ReadFile reads name from fsys, refusing files larger than limit bytes.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes, not read", name, limit)
	}
	return b, nil
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
