package iosmod

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/spyscan/spyscan/internal/jsonenc"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// ColumnSet names the columns a record keeps under their own names, in
// the table's order: the rest of a `table.*` MVT selects, beside the
// columns the module reads into named fields. It is built once per query
// (OtherColumns), with each field's `,"name":` already encoded.
type ColumnSet struct {
	names []string
	keys  [][]byte // `,"name":`
	b64   []bool   // a blob written in base64 (MVT's b64encode) rather than as text
}

// Columns are one row's values of a ColumnSet, written as Val gives them
// (NULL as null, numbers as numbers, blobs as text or base64).
type Columns struct {
	set  *ColumnSet
	vals []driver.Value
}

// OtherColumns returns table's columns (their names as the schema spells
// them, in its order) that are not in have (compared without case): the
// columns to select besides a module's own, with "?" before each (see
// Query), and their set; the blobs of the columns named in b64 are written
// in base64.
func OtherColumns(ctx context.Context, db *sqlitex.DB, table string, have []string, b64 ...string) (sel []string, set *ColumnSet) {
	skip := make(map[string]bool, len(have))
	for _, c := range have {
		skip[strings.ToLower(strings.TrimPrefix(c, "?"))] = true
	}
	set = &ColumnSet{}
	for _, c := range db.ColumnList(ctx, table) {
		if skip[strings.ToLower(c)] {
			continue
		}
		sel, set.names = append(sel, "?"+c), append(set.names, c)
		set.keys = append(set.keys, append(jsonenc.String([]byte{','}, c), ':'))
		set.b64 = append(set.b64, slices.ContainsFunc(b64, func(b string) bool { return strings.EqualFold(b, c) }))
	}
	return sel, set
}

// Len is the number of columns.
func (c Columns) Len() int {
	if c.set == nil {
		return 0
	}
	return len(c.set.names)
}

// Tail returns the row's last columns as the values of set (selected
// last, as OtherColumns gave them).
func (r Row) Tail(set *ColumnSet) Columns {
	if set == nil || len(set.names) > len(r.vals) {
		return Columns{}
	}
	return Columns{set: set, vals: r.vals[len(r.vals)-len(set.names):]}
}

// AppendFields appends `,"name":value` for each column: the fields added
// at the end of an object being written.
func (c Columns) AppendFields(dst []byte) ([]byte, error) {
	for i := range c.Len() {
		n := c.set.names[i]
		dst = append(dst, c.set.keys[i]...)
		switch v := c.vals[i].(type) {
		case nil:
			dst = append(dst, "null"...)
		case int64:
			dst = jsonenc.Int(dst, v)
		case float64:
			var err error
			if dst, err = jsonenc.Float64(dst, v); err != nil {
				return nil, fmt.Errorf("column %s: %w", n, err)
			}
		case string:
			dst = jsonenc.String(dst, v)
		case []byte:
			if c.set.b64[i] {
				dst = jsonenc.Bytes(dst, v)
			} else {
				dst = jsonenc.String(dst, BackslashReplace(v))
			}
		case bool:
			dst = jsonenc.Bool(dst, v)
		default:
			b, err := json.Marshal(v)
			if err != nil {
				return nil, fmt.Errorf("column %s: %w", n, err)
			}
			dst = append(dst, b...)
		}
	}
	return dst, nil
}

// MarshalWith returns the JSON object of v (a struct or map) with c's
// fields after its own (AppendObject). Callers pass columns v does not
// name: a column of the same name as one of v's keys would be written
// twice.
func MarshalWith(v any, c Columns) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return c.AppendObject(b, 0)
}

// AppendObject adds c's fields at the end of the JSON object that
// dst[start:] holds, before its closing brace; dst is returned unchanged
// when c has no columns.
func (c Columns) AppendObject(dst []byte, start int) ([]byte, error) {
	if c.Len() == 0 {
		return dst, nil
	}
	obj := dst[start:]
	if len(obj) < 2 || obj[0] != '{' || obj[len(obj)-1] != '}' {
		return nil, fmt.Errorf("iosmod: columns added to %.20q, which is not a JSON object", obj)
	}
	empty := len(obj) == 2
	out, err := c.AppendFields(dst[:len(dst)-1])
	if err != nil {
		return nil, err
	}
	if empty { // {}: no comma before the first column
		out = append(out[:start+1], out[start+2:]...)
	}
	return append(out, '}'), nil
}
