package sqlitex

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

// eachRowSchema has a value of every kind SQLite gives in every column
// affinity, a date-typed column (which the driver may turn into a time),
// NULLs, empty texts and blobs, and values stored against their column's
// affinity.
const eachRowSchema = `CREATE TABLE t(i INTEGER, r REAL, s TEXT, b BLOB, n, d DATE, dt DATETIME, k BOOLEAN);
INSERT INTO t VALUES (1, 1.5, 'a', x'00ff', NULL, 1700000000, '2023-11-14 22:13:20', 1);
INSERT INTO t VALUES (-9223372036854775808, -0.0, '', x'', 'text', '2001-01-01', 700000000000000000, 0);
INSERT INTO t VALUES (9223372036854775807, 1e308, 'é ✓ 🙂', x'6869', 42, NULL, NULL, NULL);
INSERT INTO t VALUES ('not a number', 'x', 12, 'text in a blob column', 2.25, 'garbage', 3.5, 'yes');
INSERT INTO t VALUES (NULL, NULL, NULL, NULL, x'01', -1, 0, -7);`

// scanned reads every row of q through database/sql's Scan into
// Scanners that keep the driver's value (what iosmod did before EachRow).
func scanned(t *testing.T, d *DB, q string) [][]driver.Value {
	t.Helper()
	rows, err := d.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	vals, ptrs, err := scanBuffers(rows)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]driver.Value
	for rows.Next() {
		clear(vals)
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, append([]driver.Value(nil), vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameValues fails unless got and want hold values of the same types and
// contents, row by row.
func sameValues(t *testing.T, what string, got, want [][]driver.Value) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d rows, want %d", what, len(got), len(want))
	}
	for i := range want {
		for j := range want[i] {
			g, w := got[i][j], want[i][j]
			if reflect.TypeOf(g) != reflect.TypeOf(w) {
				t.Errorf("%s: row %d column %d: %T %#v, want %T %#v", what, i, j, g, g, w, w)
				continue
			}
			if gb, ok := g.([]byte); ok {
				if !bytes.Equal(gb, w.([]byte)) || (gb == nil) != (w.([]byte) == nil) {
					t.Errorf("%s: row %d column %d: %q, want %q", what, i, j, gb, w)
				}
				continue
			}
			if !reflect.DeepEqual(g, w) {
				t.Errorf("%s: row %d column %d: %#v, want %#v", what, i, j, g, w)
			}
		}
	}
}

// TestEachRowAsScan holds EachRow, and its fallback through Scan, to the
// values Scan gives, and checks that values kept from a row (the driver's
// strings and byte slices) are not overwritten by the next rows.
func TestEachRowAsScan(t *testing.T) {
	d := open(t, eachRowSchema)
	ctx := context.Background()
	const q = `SELECT i, r, s, b, n, d, dt, k FROM t ORDER BY rowid`
	want := scanned(t, d, q)
	if len(want) != 5 {
		t.Fatalf("%d rows", len(want))
	}
	var kept [][]driver.Value // each row's values, the slices as given
	err := d.EachRow(ctx, q, func(vals []driver.Value) error {
		kept = append(kept, append([]driver.Value(nil), vals...))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sameValues(t, "EachRow", kept, want)

	// The rows EachRow reads are the metered ones, which tap the values
	// (not the fallback through Scan).
	sctx, got := d.stmtCtx(ctx)
	rows, err := d.DB.QueryContext(sctx, q)
	got(err == nil)
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal(rows.Err())
	}
	if row := sctx.(budgetCtx).m.row; len(row) != 8 {
		t.Errorf("the metered rows gave %d values, want the row's 8", len(row))
	}
	rows.Close()

	rows, err = d.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	var fallback [][]driver.Value
	if err := eachRow(rows, func() []driver.Value { return nil }, func(vals []driver.Value) error {
		fallback = append(fallback, append([]driver.Value(nil), vals...))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	sameValues(t, "eachRow through Scan", fallback, want)
}

// TestEachRowErrors: fn's error comes back as it is and ends the rows;
// a statement that cannot run, or that the guard refuses, is an error.
func TestEachRowErrors(t *testing.T) {
	d := open(t, eachRowSchema)
	ctx := context.Background()
	stop := fmt.Errorf("stop")
	n := 0
	err := d.EachRow(ctx, `SELECT i FROM t`, func([]driver.Value) error {
		n++
		return stop
	})
	if err != stop || n != 1 {
		t.Errorf("fn's error: %v after %d rows, want it as it is after 1", err, n)
	}
	if err := d.EachRow(ctx, `SELECT nope FROM t`, func([]driver.Value) error { return nil }); err == nil {
		t.Error("a missing column: no error")
	}
	dv := open(t, endlessView)
	if err := dv.EachRow(ctx, `SELECT ROWID FROM message`, func([]driver.Value) error { return nil }); !errors.Is(err, ErrRefused) {
		t.Errorf("a view: %v, want ErrRefused", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := d.EachRow(cctx, `SELECT i FROM t`, func([]driver.Value) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled context: %v", err)
	}
}
