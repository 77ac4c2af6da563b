package iosmod_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// openDB writes a database from schema and rows and opens it as evidence.
func openDB(t *testing.T, schema []string, stmts ...iosgen.Stmt) *sqlitex.DB {
	t.Helper()
	fsys := fstest.MapFS{"x.db": {Data: iosdata.BuildDB(schema, stmts)}}
	db, err := sqlitex.Open(context.Background(), fsys, "x.db", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestQueryLooseTypes reads numbers stored as text (SQLite keeps a column's
// values in any storage class, and iOS databases do store numbers as text
// in untyped columns): Int, Float and Str must read them the same way as
// numbers stored as numbers.
func TestQueryLooseTypes(t *testing.T) {
	db := openDB(t, []string{"CREATE TABLE t (id, n, f, s)"},
		iosgen.Ins("t", "id, n, f, s", 1, int64(42), 1.5, "x"),
		iosgen.Ins("t", "id, n, f, s", 2, "42", " 1.5 ", []byte("x")),
		iosgen.Ins("t", "id, n, f, s", 3, "not a number", nil, int64(7)),
		iosgen.Ins("t", "id, n, f, s", 4, 42.9, "1e3", 0.25))
	rec := module.NewRecorder("t", nil, nil)
	type row struct {
		n    int64
		f    float64
		s    string
		null bool
	}
	var got []row
	err := iosmod.Query(context.Background(), db, rec, "t", []string{"N", "f", "s"}, "ORDER BY id", func(r iosmod.Row) error {
		got = append(got, row{r.Int("n"), r.Float("f"), r.Str("s"), r.Null("f")})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []row{{42, 1.5, "x", false}, {42, 1.5, "x", false}, {0, 0, "7", true}, {42, 1000, "0.25", false}}
	if len(got) != len(want) {
		t.Fatalf("got %d rows, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %+v, want %+v", i+1, got[i], want[i])
		}
	}
}

// TestQueryKeepsBlobs: the values of a row stay as they were read after
// later rows are read (the bytes of a BLOB or TEXT value are the row's
// own, not a buffer the driver reuses), with a copy of the stored bytes.
func TestQueryKeepsBlobs(t *testing.T) {
	var stmts []iosgen.Stmt
	for i := range 50 {
		stmts = append(stmts, iosgen.Ins("t", "id, b, s", i, []byte(strings.Repeat(string(rune('a'+i%26)), 100+i)), strings.Repeat("x", i)))
	}
	db := openDB(t, []string{"CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB, s TEXT)"}, stmts...)
	rec := module.NewRecorder("t", nil, nil)
	var rows []iosmod.Row
	err := iosmod.Query(context.Background(), db, rec, "t", []string{"id", "b", "s"}, "ORDER BY id", func(r iosmod.Row) error {
		rows = append(rows, r)
		return nil
	})
	if err != nil || len(rows) != 50 {
		t.Fatalf("err %v, %d rows", err, len(rows))
	}
	for i, r := range rows {
		want := strings.Repeat(string(rune('a'+i%26)), 100+i)
		if got := string(r.Bytes("b")); got != want || r.Str("s") != strings.Repeat("x", i) || r.Int("id") != int64(i) {
			t.Errorf("row %d: b %q, s %q, id %d", i, got, r.Str("s"), r.Int("id"))
		}
	}
	if b := rows[0].Bytes("b"); len(b) > 0 {
		b[0] = 'Z' // the row's own copy: reading again gives the stored bytes
		err := iosmod.Query(context.Background(), db, rec, "t", []string{"b"}, "ORDER BY id LIMIT 1", func(r iosmod.Row) error {
			if r.Bytes("b")[0] != 'a' {
				t.Error("a row's BLOB shares its bytes with an earlier read")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestQueryScratchAsQuery: QueryScratch, which reads every row into the
// same values, gives each row as Query does while fn runs (a NULL after a
// value, a value after a NULL, other columns through Tail, a missing
// optional column), and the strings and BLOBs it gave stay as read.
func TestQueryScratchAsQuery(t *testing.T) {
	var stmts []iosgen.Stmt
	for i := range 40 {
		var b, s, f any
		if i%3 != 0 {
			b = []byte(strings.Repeat(string(rune('a'+i%26)), 10+i))
		}
		if i%4 != 1 {
			s = strings.Repeat("y", i)
		}
		if i%5 == 2 {
			f = float64(i) + 0.5
		} else if i%5 == 3 {
			f = int64(i)
		}
		stmts = append(stmts, iosgen.Ins("t", "id, b, s, f", i, b, s, f))
	}
	db := openDB(t, []string{"CREATE TABLE t (id INTEGER PRIMARY KEY, b BLOB, s TEXT, f)"}, stmts...)
	ctx := context.Background()
	rec := module.NewRecorder("t", nil, nil)
	sel, set := iosmod.OtherColumns(ctx, db, "t", []string{"id", "b"})
	cols := append([]string{"id", "b", "?absent"}, sel...)
	read := func(q func(context.Context, *sqlitex.DB, *module.Recorder, string, []string, string, func(iosmod.Row) error) error) (lines []string, blobs [][]byte) {
		t.Helper()
		err := q(ctx, db, rec, "t", cols, "ORDER BY id", func(r iosmod.Row) error {
			obj, err := r.Tail(set).AppendObject([]byte(`{}`), 0)
			if err != nil {
				return err
			}
			lines = append(lines, fmt.Sprintf("%d %q %v %q %v %v %s", r.Int("id"), r.Bytes("b"), r.Null("b"), r.Str("s"), r.Null("s"), r.Null("absent"), obj))
			blobs = append(blobs, r.Bytes("b"))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return lines, blobs
	}
	want, _ := read(iosmod.Query)
	got, blobs := read(iosmod.QueryScratch)
	if len(want) != 40 || !slices.Equal(got, want) {
		t.Fatalf("QueryScratch rows:\n%s\nQuery rows:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i, b := range blobs {
		if w := strings.Repeat(string(rune('a'+i%26)), 10+i); i%3 != 0 && string(b) != w {
			t.Errorf("row %d: BLOB kept from QueryScratch is %q, want %q", i, b, w)
		}
	}
}

// TestQueryDrift: a missing table and missing columns are notes, the
// missing columns read as NULL, and an ORDER BY naming a missing column is
// dropped rather than failing the query.
func TestQueryDrift(t *testing.T) {
	db := openDB(t, []string{"CREATE TABLE t (a INTEGER)"}, iosgen.Ins("t", "a", 5))
	rec := module.NewRecorder("t", nil, nil)
	ctx := context.Background()
	n := 0
	if err := iosmod.Query(ctx, db, rec, "absent", []string{"a"}, "", func(iosmod.Row) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	err := iosmod.Query(ctx, db, rec, "t", []string{"a", "b"}, "ORDER BY b", func(r iosmod.Row) error {
		n++
		if r.Int("a") != 5 || !r.Null("b") {
			t.Errorf("a=%d b null=%v", r.Int("a"), r.Null("b"))
		}
		return nil
	})
	if err != nil || n != 1 {
		t.Fatalf("err %v, %d rows", err, n)
	}
	notes := strings.Join(rec.Result().Notes, "\n")
	for _, want := range []string{"no table absent", "lacks column(s) b", `"ORDER BY b" dropped`} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
}

// TestQueryRefusesView: a view standing where a module expects a table
// (here an endless recursive query) is an error naming it, returned at
// once; it is neither read nor skipped as an absent table.
func TestQueryRefusesView(t *testing.T) {
	db := openDB(t, []string{"CREATE TABLE handle (ROWID INTEGER PRIMARY KEY, id TEXT)",
		"CREATE VIEW message AS WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT x+1 FROM c) SELECT x AS ROWID, 'a' AS text FROM c"})
	rec := module.NewRecorder("t", nil, nil)
	rows := 0
	err := iosmod.Query(context.Background(), db, rec, "message", []string{"ROWID", "text"}, "", func(iosmod.Row) error { rows++; return nil })
	if !errors.Is(err, sqlitex.ErrRefused) || !strings.Contains(err.Error(), "message") || rows != 0 {
		t.Errorf("Query(view) = %v after %d rows, want ErrRefused naming message", err, rows)
	}
}
