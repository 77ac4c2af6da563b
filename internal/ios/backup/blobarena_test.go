package backup

import (
	"bytes"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// TestBlobArenaAsBytes holds blobArena to database/sql's conversion for a
// *[]byte destination: every value SQLite can store in the file column,
// including under a declared date type (the driver then gives time.Time),
// scanned both ways from the same rows, several rows into one arena.
func TestBlobArenaAsBytes(t *testing.T) {
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"CREATE TABLE f (n INTEGER, file BLOB, d DATETIME)",
		`INSERT INTO f VALUES (1, x'62706c6973743030', NULL), (2, x'', NULL), (3, NULL, NULL), (4, 'text', '2024-01-02 03:04:05'),
		 (5, -42, '2024-01-02T03:04:05.123456789Z'), (6, 1.5e300, 7), (7, 0.1, 'not a date'), (8, randomblob(40000), x'00ff')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	for _, col := range []string{"file", "d"} {
		rows, err := db.Query("SELECT n, " + col + " FROM f ORDER BY n")
		if err != nil {
			t.Fatal(err)
		}
		var a blobArena
		var got [][]byte
		var times int
		for rows.Next() {
			var n int
			var want []byte
			var v any
			if err := rows.Scan(&n, &v); err != nil {
				t.Fatal(err)
			}
			if _, ok := v.(time.Time); ok {
				times++
			}
			werr := rows.Scan(&n, &want)
			gerr := rows.Scan(&n, &a)
			if (werr == nil) != (gerr == nil) || werr != nil && werr.Error() != gerr.Error() {
				t.Fatalf("%s row %d: error %v, *[]byte's %v", col, n, gerr, werr)
			}
			if !bytes.Equal(a.last, want) || (a.last == nil) != (want == nil) && len(want) != 0 {
				t.Errorf("%s row %d: %q, *[]byte's %q", col, n, a.last, want)
			}
			got = append(got, a.last)
			if len(got) == 2 && col == "file" {
				want0 := []byte("bplist00")
				if !bytes.Equal(got[0], want0) {
					t.Errorf("row 1 changed by the next row: %q", got[0])
				}
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
		if col == "d" && times < 2 {
			t.Errorf("the driver gave %d time.Time values, the test wants 2", times)
		}
	}
}

// TestBlobArenaChunks: values across many chunks keep their bytes until
// the reset, a large value takes a chunk of its own, and a second batch
// reuses the first one's chunks.
func TestBlobArenaChunks(t *testing.T) {
	var a blobArena
	batch := func(seed byte) [][]byte {
		var got [][]byte
		for i := range 2000 {
			n := 300 + i%200
			if i == 700 {
				n = blobChunk / 2 // a chunk of its own
			}
			if err := a.Scan(bytes.Repeat([]byte{seed + byte(i)}, n)); err != nil {
				t.Fatal(err)
			}
			got = append(got, a.last)
		}
		for i, b := range got {
			if len(b) == 0 || bytes.Count(b, []byte{seed + byte(i)}) != len(b) || cap(b) != len(b) {
				t.Fatalf("value %d overwritten or not capped: len %d cap %d", i, len(b), cap(b))
			}
		}
		return got
	}
	batch(1)
	a.reset()
	if a.cur != nil || len(a.used) != 0 || a.last != nil {
		t.Fatalf("reset left the arena in use")
	}
	chunks := len(a.free)
	if chunks < 2 {
		t.Fatalf("%d reusable chunks after 2000 values", chunks)
	}
	batch(2)
	a.reset()
	if len(a.free) != chunks {
		t.Errorf("the second batch made new chunks: %d reusable, %d after the first", len(a.free), chunks)
	}
}
