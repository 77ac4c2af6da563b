package iosmod

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spyscan/spyscan/internal/jsonenc"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Columns are a row's columns that a record keeps under their own names,
// in the table's order: the rest of a `table.*` MVT selects, beside the
// columns the module reads into named fields. Values are written as Val
// gives them (NULL as null, numbers as numbers, blobs as text).
type Columns struct {
	names []string
	vals  []any
}

// OtherColumns returns table's columns (their names as the schema spells
// them, in its order) that are not in have (compared without case): the
// columns to read besides a module's own, with "?" before each (see
// Query), and their names.
func OtherColumns(ctx context.Context, db *sqlitex.DB, table string, have []string) (sel, names []string) {
	skip := make(map[string]bool, len(have))
	for _, c := range have {
		skip[strings.ToLower(strings.TrimPrefix(c, "?"))] = true
	}
	for _, c := range db.ColumnList(ctx, table) {
		if !skip[strings.ToLower(c)] {
			sel, names = append(sel, "?"+c), append(names, c)
		}
	}
	return sel, names
}

// Tail returns the row's last len(names) columns as Columns named names
// (the names OtherColumns gave, selected last).
func (r Row) Tail(names []string) Columns {
	if len(names) > len(r.vals) {
		return Columns{}
	}
	return Columns{names: names, vals: r.vals[len(r.vals)-len(names):]}
}

// AppendFields appends `,"name":value` for each column: the fields added
// at the end of an object being written.
func (c Columns) AppendFields(dst []byte) ([]byte, error) {
	for i, n := range c.names {
		dst = append(dst, ',')
		dst = jsonenc.String(dst, n)
		dst = append(dst, ':')
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
			dst = jsonenc.String(dst, BackslashReplace(v))
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
// fields after its own. A column whose name is one of v's keys is left out
// (v's field wins): callers pass columns v does not name.
func MarshalWith(v any, c Columns) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil || len(c.names) == 0 {
		return b, err
	}
	if len(b) < 2 || b[len(b)-1] != '}' {
		return nil, fmt.Errorf("iosmod.MarshalWith: %T is not a JSON object", v)
	}
	out, err := c.AppendFields(b[:len(b)-1])
	if err != nil {
		return nil, err
	}
	if len(b) == 2 { // v was {}: no comma before the first column
		out = append(out[:1], out[2:]...)
	}
	return append(out, '}'), nil
}
