package sqlitex

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/cputime"
)

// benchRows is the size of the table the row benchmarks read.
const benchRows = 20_000

// rowsDB writes a table of benchRows rows shaped like sms.db's message
// table (an integer key, a date, a text of 60 bytes, a blob of 120 bytes
// and two short texts) and returns its folder.
func rowsDB(b *testing.B) string {
	b.Helper()
	dir := b.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "e.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE message(ROWID INTEGER PRIMARY KEY, date INTEGER, text TEXT, attributedBody BLOB, service TEXT, guid TEXT)`); err != nil {
		b.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	text, blob := strings.Repeat("t", 60), []byte(strings.Repeat("b", 120))
	for i := range benchRows {
		if _, err := tx.Exec(`INSERT INTO message VALUES (?, ?, ?, ?, ?, ?)`, i+1, 700000000000000000+int64(i), text, blob, "iMessage", fmt.Sprintf("guid-%08d", i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	return dir
}

// scanAll reads every row of the table as a module does.
func scanAll(b *testing.B, db *sql.DB) {
	rows, err := db.QueryContext(context.Background(), `SELECT ROWID, date, text, attributedBody, service, guid FROM message`)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var (
			id, date      int64
			text, service sql.NullString
			body          []byte
			guid          string
		)
		if err := rows.Scan(&id, &date, &text, &body, &service, &guid); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil || n != benchRows {
		b.Fatal(n, err)
	}
}

// BenchmarkRows reads the table through sqlitex (the guard and the
// statement budget) and, for comparison, through modernc.org/sqlite
// alone; cpu-ns/row is the process CPU time each row costs.
func BenchmarkRows(b *testing.B) {
	dir := rowsDB(b)
	run := func(b *testing.B, db *sql.DB) {
		b.ResetTimer()
		cpu := cputime.Process()
		for range b.N {
			scanAll(b, db)
		}
		reportRowCPU(b, cpu)
	}
	b.Run("sqlitex", func(b *testing.B) {
		d, err := Open(context.Background(), os.DirFS(dir), "e.db", b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		defer d.Close()
		run(b, d.DB)
	})
	b.Run("driver", func(b *testing.B) {
		db, err := sql.Open("sqlite", immutableDSN(filepath.Join(dir, "e.db")))
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		run(b, db)
	})
}

func reportRowCPU(b *testing.B, start time.Duration) {
	if d := cputime.Process() - start; d > 0 {
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N*benchRows), "cpu-ns/row")
	}
}

// BenchmarkRowValues reads every value of the table through sqlitex's
// metered statements as iosmod does: Scan into Scanners that keep the
// driver's values (iosmod before EachRow), and EachRow (the driver's
// values as database/sql holds them, no Scan).
func BenchmarkRowValues(b *testing.B) {
	dir := rowsDB(b)
	d, err := Open(context.Background(), os.DirFS(dir), "e.db", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	const q = `SELECT ROWID, date, text, attributedBody, service, guid FROM message`
	check := func(n int) {
		if n != benchRows {
			b.Fatal(n)
		}
	}
	b.Run("Scan", func(b *testing.B) {
		cpu := cputime.Process()
		for range b.N {
			rows, err := d.QueryContext(context.Background(), q)
			if err != nil {
				b.Fatal(err)
			}
			_, ptrs, err := scanBuffers(rows)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			check(n)
		}
		reportRowCPU(b, cpu)
	})
	b.Run("EachRow", func(b *testing.B) {
		cpu := cputime.Process()
		for range b.N {
			n := 0
			if err := d.EachRow(context.Background(), q, func([]driver.Value) error {
				n++
				return nil
			}); err != nil {
				b.Fatal(err)
			}
			check(n)
		}
		reportRowCPU(b, cpu)
	})
}
