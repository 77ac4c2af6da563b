package iosmod

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Row is one database row; columns are looked up by lower-cased name.
type Row struct {
	names []string
	vals  []driver.Value // the driver's values (database/sql's buffer with QueryScratch)
}

// get returns a column's value (nil when NULL or not selected).
func (r Row) get(c string) any {
	for i, n := range r.names {
		if n == c {
			return r.vals[i]
		}
	}
	return nil
}

// Str returns a column as text ("" when NULL or missing).
func (r Row) Str(c string) string {
	switch v := r.get(c).(type) {
	case string:
		return v
	case []byte:
		return string(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// Int returns a column as an integer (0 when NULL, missing or not numeric).
func (r Row) Int(c string) int64 {
	switch v := r.get(c).(type) {
	case int64:
		return v
	case float64:
		return int64(v)
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		return n
	}
	return 0
}

// Float returns a column as a float (0 when NULL, missing or not numeric).
func (r Row) Float(c string) float64 {
	switch v := r.get(c).(type) {
	case int64:
		return float64(v)
	case float64:
		return v
	case string:
		f, _ := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return f
	}
	return 0
}

// Null reports whether a column is NULL or missing.
func (r Row) Null(c string) bool { return r.get(c) == nil }

// Bytes returns a column as bytes (nil when NULL or missing).
func (r Row) Bytes(c string) []byte {
	switch v := r.get(c).(type) {
	case []byte:
		return v
	case string:
		return []byte(v)
	}
	return nil
}

// Query selects cols from table (with an optional tail such as "ORDER BY
// ROWID") and calls fn for each row. A missing table is a note and no rows;
// missing columns are notes and read as NULL, so schema drift across iOS
// versions never stops a module. cols are plain column names; a row's
// columns are looked up by their lower-cased name. A name starting with
// "?" is optional: read as NULL without a note when the table lacks it
// (the columns kept only because MVT's results have them).
func Query(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, table string, cols []string, tail string, fn func(Row) error) error {
	return query(ctx, db, rec, table, cols, tail, false, fn)
}

// QueryScratch is Query for a caller that keeps nothing of a row once fn
// returns: every row is read into the same slice of values, so a Row, and
// the Columns its Tail gives, are valid only during the call (the values
// themselves, the driver's new strings and BLOB slices, may be kept). It
// saves a slice of every selected column per row (sms.db's message table
// has about 80).
func QueryScratch(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, table string, cols []string, tail string, fn func(Row) error) error {
	return query(ctx, db, rec, table, cols, tail, true, fn)
}

func query(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, table string, cols []string, tail string, scratch bool, fn func(Row) error) error {
	if err := db.CheckTable(ctx, table); errors.Is(err, fs.ErrNotExist) {
		rec.Note(i18n.M("ios.note.missing_table", "db", db.Name, "table", table))
		return nil
	} else if err != nil {
		return err // a view standing for the table, or an unreadable schema
	}
	have := db.Columns(ctx, table)
	sel := make([]string, len(cols))
	names := make([]string, len(cols))
	var missing []string
	for i, c := range cols {
		c, optional := strings.CutPrefix(c, "?")
		names[i] = strings.ToLower(c)
		if have[strings.ToLower(c)] {
			sel[i] = `"` + c + `"`
		} else {
			sel[i] = "NULL"
			if !optional {
				missing = append(missing, c)
			}
		}
	}
	if len(missing) > 0 {
		rec.Note(i18n.M("ios.note.missing_columns", "db", db.Name, "table", table, "columns", strings.Join(missing, ", ")))
	}
	q := "SELECT " + strings.Join(sel, ", ") + ` FROM "` + table + `" ` + tail
	wrap := func(err error) error { return fmt.Errorf("%s: table %s: %w", db.Name, table, err) }
	started := false
	err := eachRow(ctx, db, q, names, scratch, func(r Row) error {
		started = true
		return fn(r)
	}, wrap)
	if err != nil && !started && tail != "" && strings.Contains(err.Error(), "no such column") {
		// the ORDER BY or WHERE names a column this version lacks
		rec.Note(i18n.M("ios.note.clause_dropped", "db", db.Name, "table", table, "clause", tail, "error", errors.Unwrap(err).Error()))
		err = eachRow(ctx, db, "SELECT "+strings.Join(sel, ", ")+` FROM "`+table+`"`, names, scratch, fn, wrap)
	}
	return err
}

// QuerySQL runs q, a query whose result columns are named names (every
// table and column it reads must exist: check with db.CheckTable and
// db.Columns first), and calls fn for each row, read as Query's rows are.
func QuerySQL(ctx context.Context, db *sqlitex.DB, q string, names []string, fn func(Row) error) error {
	return eachRow(ctx, db, q, names, false, fn, func(err error) error { return fmt.Errorf("%s: %w", db.Name, err) })
}

// eachRow runs q and calls fn for each row (sqlitex.DB.EachRow: the
// driver's values, without database/sql's Scan). With scratch every Row
// holds database/sql's own buffer of values, overwritten by the next row;
// otherwise each row's values are copied into a new slice (callers of
// Query may keep rows). fn's error is returned as it is, any other
// through wrap.
func eachRow(ctx context.Context, db *sqlitex.DB, q string, names []string, scratch bool, fn func(Row) error, wrap func(error) error) error {
	var ferr error
	err := db.EachRow(ctx, q, func(vals []driver.Value) error {
		if len(vals) != len(names) {
			return fmt.Errorf("%d columns for %d names", len(vals), len(names))
		}
		if !scratch {
			vals = slices.Clone(vals)
		}
		ferr = fn(Row{names: names, vals: vals})
		return ferr
	})
	switch {
	case ferr != nil:
		return ferr
	case err != nil:
		return wrap(err)
	}
	return nil
}
