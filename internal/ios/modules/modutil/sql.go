package modutil

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Row is one row read by Select: column name (lower case) → value as the
// driver returned it (int64, float64, string, []byte or nil).
type Row map[string]any

// Str returns a column as a string ("" for NULL; numbers formatted).
func (r Row) Str(c string) string {
	switch v := r[c].(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
}

// Int returns a column as an integer (0 for NULL or text).
func (r Row) Int(c string) int64 {
	switch v := r[c].(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	}
	return 0
}

// Float returns a column as a float (0 for NULL or text).
func (r Row) Float(c string) float64 {
	switch v := r[c].(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	}
	return 0
}

// Bytes returns a BLOB or TEXT column's bytes.
func (r Row) Bytes(c string) []byte {
	switch v := r[c].(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	return nil
}

// Select reads cols from table, tolerating schema drift: a missing table
// is a note and returns false; missing columns are a note and read as NULL,
// unless one of required is missing, which is a note and returns false.
// tail is appended to the query (e.g. "ORDER BY rowid"). An error while
// reading rows is returned (wrapped with the database name) after fn has
// seen the rows read before it.
func Select(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, table string, cols, required []string, tail string, fn func(Row)) (bool, error) {
	if err := db.CheckTable(ctx, table); errors.Is(err, fs.ErrNotExist) {
		rec.Note("%s: no table %s (another iOS version?)", db.Name, table)
		return false, nil
	} else if err != nil {
		return false, err
	}
	have := db.Columns(ctx, table)
	if have == nil {
		rec.Note("%s: no table %s (another iOS version?)", db.Name, table)
		return false, nil
	}
	var exprs, missing []string
	for _, c := range cols {
		if have[strings.ToLower(c)] {
			exprs = append(exprs, `"`+c+`"`)
		} else {
			exprs = append(exprs, "NULL")
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		rec.Note("%s: table %s lacks column(s) %s (another iOS version?)", db.Name, table, strings.Join(missing, ", "))
		for _, r := range required {
			for _, m := range missing {
				if strings.EqualFold(r, m) {
					return false, nil
				}
			}
		}
	}
	q := "SELECT " + strings.Join(exprs, ", ") + ` FROM "` + table + `" ` + tail
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return false, fmt.Errorf("%s: table %s: %w", db.Name, table, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return true, fmt.Errorf("%s: table %s: %w", db.Name, table, err)
		}
		r := make(Row, len(cols))
		for i, c := range cols {
			r[strings.ToLower(c)] = vals[i]
		}
		fn(r)
	}
	if err := rows.Err(); err != nil {
		return true, fmt.Errorf("%s: table %s: %w", db.Name, table, err)
	}
	return true, nil
}
