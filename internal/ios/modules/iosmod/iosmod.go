// Package iosmod owns what the iOS artifact modules share: finding an
// artifact's files and opening each database safely, selecting columns that
// may be missing in other iOS versions, reading rows as loosely typed
// values, and adding timeline events.
package iosmod

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/plistx"

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

// ReadFile reads name, refusing files over limit bytes. The limit is
// enforced on what is read, not on the size a (possibly lying) archive
// header announces.
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
		return nil, fmt.Errorf("%s: %w (over %d bytes)", name, ErrTooLarge, limit)
	}
	return b, nil
}

// Row is one database row; columns are looked up by lower-cased name.
type Row struct {
	names []string
	vals  []any
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
	if err != nil && tail != "" && strings.Contains(err.Error(), "no such column") {
		// the ORDER BY or WHERE names a column this version lacks
		rec.Note("%s: table %s: %q dropped (%v)", db.Name, table, tail, err)
		rows, err = db.QueryContext(ctx, "SELECT "+strings.Join(sel, ", ")+` FROM "`+table+`"`)
	}
	if err != nil {
		return fmt.Errorf("%s: table %s: %w", db.Name, table, err)
	}
	return scanRows(rows, names, func(err error) error { return fmt.Errorf("%s: table %s: %w", db.Name, table, err) }, fn)
}

// QuerySQL runs q, a query whose result columns are named names (every
// column it reads must exist: check with db.Columns first), and calls fn
// for each row, read as Query's rows are.
func QuerySQL(ctx context.Context, db *sqlitex.DB, q string, names []string, fn func(Row) error) error {
	wrap := func(err error) error { return fmt.Errorf("%s: %w", db.Name, err) }
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return wrap(err)
	}
	return scanRows(rows, names, wrap, fn)
}

func scanRows(rows *sql.Rows, names []string, wrap func(error) error, fn func(Row) error) error {
	defer rows.Close()
	ptrs := make([]any, len(names))
	for rows.Next() {
		vals := make([]any, len(names)) // fresh per row: callers may keep rows
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return wrap(err)
		}
		if err := fn(Row{names: names, vals: vals}); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return wrap(err)
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

// Links returns the distinct links (http(s):// or www.) in a text, in order.
// It finds what `(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]{}]+` finds (the
// tests check it against that expression), without the regexp engine, which
// dominated the sms module's time on large sms.db files.
func Links(text string) []string {
	var out []string
	var seen map[string]bool
	for i := 0; i < len(text); i++ {
		if i > 0 && isWordByte(text[i-1]) {
			continue // \b: a link starts after a non-word character
		}
		n := linkPrefix(text[i:])
		if n == 0 {
			continue
		}
		end := i + n
		for end < len(text) && !isLinkStop(text[end]) {
			end++
		}
		if end == i+n {
			continue
		}
		l := strings.TrimRight(text[i:end], ".,;:!?")
		if seen == nil {
			seen = map[string]bool{}
		}
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
		i = end - 1
	}
	return out
}

// linkPrefix returns the length of a case-insensitive "http://", "https://"
// or "www." at the start of s (0: none). Like the regexp's (?i), the "s" of
// https also matches U+017F (long s), its Unicode case fold.
func linkPrefix(s string) int {
	switch {
	case len(s) >= 4 && strings.EqualFold(s[:4], "www."):
		return 4
	case len(s) < 7 || !strings.EqualFold(s[:4], "http"):
		return 0
	case s[4:7] == "://":
		return 7
	case (s[4] == 's' || s[4] == 'S') && len(s) >= 8 && s[5:8] == "://":
		return 8
	case strings.HasPrefix(s[4:], "\u017f://"):
		return 4 + len("\u017f://")
	}
	return 0
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isLinkStop reports the bytes that end a link: ASCII white space (as the
// regexp's \s) and <>"'()[]{}. Bytes of multi-byte characters never stop it.
func isLinkStop(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\f', '\r', '<', '>', '"', '\'', '(', ')', '[', ']', '{', '}':
		return true
	}
	return false
}

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
