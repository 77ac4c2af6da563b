// Package iosmod owns what the iOS artifact modules share: finding an
// artifact's files and opening each database safely, selecting columns that
// may be missing in other iOS versions, reading rows as loosely typed
// values, and adding timeline events.
package iosmod

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"strconv"
	"strings"
	"time"

	"howett.net/plist"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Base gives a module its name and applicability from its Spec.
type Base struct {
	ModName string
	Spec    artifact.Spec
}

// Name returns the module name.
func (b Base) Name() string { return b.ModName }

// Applies reports whether the spec has patterns for the kind.
func (b Base) Applies(k acquisition.Kind) bool { return b.Spec.Applies(k) }

// Find returns the artifact's paths, or module.ErrNotFound.
func Find(in *module.Input, s artifact.Spec) ([]string, error) {
	paths := artifact.Find(in.Acq.FS, in.Acq.Kind, s)
	if len(paths) == 0 {
		return nil, module.ErrNotFound
	}
	return paths, nil
}

// ForEachDB opens each database of the spec with sqlitex and calls fn. A
// database that cannot be opened or read is recorded as a file error and
// the others are still read.
func ForEachDB(ctx context.Context, in *module.Input, rec *module.Recorder, s artifact.Spec,
	fn func(ctx context.Context, db *sqlitex.DB, path string) error) error {
	paths, err := Find(in, s)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec.File(p)
		db, err := sqlitex.Open(ctx, in.Acq.FS, p, in.TempDir)
		if err != nil {
			rec.FileError(p, err)
			continue
		}
		if err := fn(ctx, db, p); err != nil {
			rec.FileError(p, err)
		}
		db.Close()
	}
	return nil
}

// ForEachFile reads each file of the spec (up to limit bytes) and calls fn.
func ForEachFile(ctx context.Context, in *module.Input, rec *module.Recorder, s artifact.Spec, limit int64,
	fn func(path string, data []byte) error) error {
	paths, err := Find(in, s)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec.File(p)
		data, err := ReadFile(in.Acq.FS, p, limit)
		if err != nil {
			rec.FileError(p, err)
			continue
		}
		if err := fn(p, data); err != nil {
			rec.FileError(p, fmt.Errorf("%s: %w", p, err))
		}
	}
	return nil
}

// ErrTooLarge is returned for files over the read limit.
var ErrTooLarge = errors.New("file larger than the read limit")

// ReadFile reads name, refusing files over limit bytes.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if st.Size() > limit {
		return nil, fmt.Errorf("%s: %w (%d bytes)", name, ErrTooLarge, st.Size())
	}
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return b, nil
}

// Row is one database row by lower-cased column name.
type Row map[string]any

// Str returns a column as text ("" when NULL or missing).
func (r Row) Str(c string) string {
	switch v := r[c].(type) {
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
	switch v := r[c].(type) {
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
	switch v := r[c].(type) {
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
func (r Row) Null(c string) bool { return r[c] == nil }

// Bytes returns a column as bytes (nil when NULL or missing).
func (r Row) Bytes(c string) []byte {
	switch v := r[c].(type) {
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
// versions never stops a module. Column names may be written "expr AS name"
// only for columns that exist; plain names are checked.
func Query(ctx context.Context, db *sqlitex.DB, rec *module.Recorder, table string, cols []string, tail string, fn func(Row) error) error {
	if !db.HasTable(ctx, table) {
		rec.Note("%s: no table %s (another iOS version?)", db.Name, table)
		return nil
	}
	have := db.Columns(ctx, table)
	sel := make([]string, len(cols))
	names := make([]string, len(cols))
	var missing []string
	for i, c := range cols {
		names[i] = strings.ToLower(c)
		if have[strings.ToLower(c)] {
			sel[i] = `"` + c + `"`
		} else {
			sel[i] = "NULL"
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		rec.Note("%s: table %s lacks column(s) %s (another iOS version?)", db.Name, table, strings.Join(missing, ", "))
	}
	q := "SELECT " + strings.Join(sel, ", ") + ` FROM "` + table + `" ` + tail
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return fmt.Errorf("%s: table %s: %w", db.Name, table, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("%s: table %s: %w", db.Name, table, err)
		}
		r := make(Row, len(cols))
		for i, n := range names {
			r[n] = vals[i]
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("%s: table %s: %w", db.Name, table, err)
	}
	return nil
}

// Event adds a timeline event when t is known.
func Event(rec *module.Recorder, t time.Time, event, desc, artifact string) {
	if t.IsZero() {
		return
	}
	rec.Event(model.Event{Time: t, Event: event, Description: desc, Artifact: artifact})
}

// ISO formats a time for records ("" when zero).
func ISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05.000000")
}

// AppleTime converts a Core Data timestamp column (seconds or nanoseconds
// since 2001).
func AppleTime(r Row, c string) time.Time { return model.FromAppleSeconds(r.Float(c)) }

var linkRE = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]{}]+`)

// Links returns the distinct links (http(s):// or www.) in a text, in order.
func Links(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range linkRE.FindAllString(text, -1) {
		l = strings.TrimRight(l, ".,;:!?")
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

// MaxPlist bounds the size of a plist read into memory.
const MaxPlist = 64 << 20

// DecodePlist decodes a binary, XML or OpenStep plist into generic values
// (map[string]any, []any, string, uint64, int64, float64, bool, []byte,
// time.Time, plist.UID). A decoder panic on hostile input becomes an error.
func DecodePlist(data []byte) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, fmt.Errorf("malformed plist: %v", r)
		}
	}()
	if _, err := plist.Unmarshal(data, &v); err != nil {
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
