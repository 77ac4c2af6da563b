package sqlitex

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// evidence writes a database with the given schema into a folder and
// returns the folder's FS and the database name.
func evidence(t *testing.T, schema string) (fs.FS, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "e.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(schema); err != nil {
		t.Fatal(err)
	}
	return os.DirFS(dir), "e.db"
}

func open(t *testing.T, schema string) *DB {
	t.Helper()
	fsys, name := evidence(t, schema)
	d, err := Open(context.Background(), fsys, name, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// endlessView stands where sms.db's message table is expected: an endless
// recursive query whose UNION keeps every row seen (unbounded memory).
const endlessView = `CREATE TABLE handle(ROWID INTEGER PRIMARY KEY, id TEXT);
CREATE VIEW message AS WITH RECURSIVE c(x, s) AS (SELECT 1, 'a' UNION SELECT x+1, s||'a' FROM c) SELECT x AS ROWID, s AS text FROM c;`

func TestViewRefused(t *testing.T) {
	d := open(t, endlessView)
	ctx := context.Background()
	start := time.Now()
	if !d.HasTable(ctx, "message") {
		t.Error("HasTable: a view standing for a table is skipped as absent")
	}
	if err := d.CheckTable(ctx, "message"); !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "view") {
		t.Errorf("CheckTable(view) = %v, want ErrRefused naming a view", err)
	}
	if err := d.CheckTable(ctx, "handle"); err != nil {
		t.Errorf("CheckTable(table) = %v", err)
	}
	if err := d.CheckTable(ctx, "nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("CheckTable(missing) = %v", err)
	}
	rows, err := d.QueryContext(ctx, "SELECT ROWID, text FROM message")
	if err == nil {
		rows.Close()
	}
	if !errors.Is(err, ErrRefused) || !strings.Contains(err.Error(), "message") {
		t.Errorf("query through the view = %v, want ErrRefused naming it", err)
	}
	if _, err := d.QueryContext(ctx, "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c) SELECT x FROM c"); !errors.Is(err, ErrRefused) {
		t.Errorf("recursive query = %v, want ErrRefused", err)
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("took %v", took)
	}
}

// TestValueLimit: a value of MaxValue bytes is read; one byte more is an
// error, whether stored or built by a generated column (which could
// otherwise allocate a gigabyte per row read).
func TestValueLimit(t *testing.T) {
	prev := MaxValue
	MaxValue = 1 << 20
	t.Cleanup(func() { MaxValue = prev })
	d := open(t, `CREATE TABLE m(n INTEGER, b BLOB, g AS (zeroblob(n)));
INSERT INTO m(n, b) VALUES (1048576, zeroblob(1048576)), (1048577, zeroblob(1048577));`)
	for _, col := range []string{"b", "g"} {
		var v []byte
		if err := d.QueryRowContext(context.Background(), "SELECT "+col+" FROM m WHERE n = 1048576").Scan(&v); err != nil || len(v) != MaxValue {
			t.Errorf("%s at the limit: %d bytes, %v", col, len(v), err)
		}
		err := d.QueryRowContext(context.Background(), "SELECT "+col+" FROM m WHERE n = 1048577").Scan(&v)
		if err == nil || !strings.Contains(err.Error(), "too big") {
			t.Errorf("%s over the limit: %v, want 'string or blob too big'", col, err)
		}
	}
}

// slowSchema: a cross join of three 1,000-row tables takes minutes. The
// query's condition mixes all three columns so that SQLite cannot build an
// automatic index and must visit all 10^9 combinations (with "a.x + b.x =
// c.x" it indexed c and finished in about 0.3 s on a fast machine).
const slowSchema = `CREATE TABLE t(x INTEGER);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x < 1000) INSERT INTO t SELECT x FROM c;`

const slowQuery = "SELECT count(*) FROM t a, t b, t c WHERE (a.x * 7 + b.x * 3 + c.x) % 1009 = 5"

func TestQueryBudget(t *testing.T) {
	prev := QueryBudget
	QueryBudget = 300 * time.Millisecond
	t.Cleanup(func() { QueryBudget = prev })
	d := open(t, slowSchema)
	var n int
	if err := d.QueryRowContext(context.Background(), "SELECT count(*) FROM t").Scan(&n); err != nil || n != 1000 {
		t.Fatalf("quick query within the budget: %d, %v", n, err)
	}
	start := time.Now()
	err := d.QueryRowContext(context.Background(), slowQuery).Scan(&n)
	if !errors.Is(err, ErrQueryBudget) || !strings.Contains(err.Error(), "300ms") {
		t.Errorf("slow query: %v, want ErrQueryBudget with the limit", err)
	}
	if took := time.Since(start); took > QueryBudget+time.Second {
		t.Errorf("stopped after %v", took)
	}
}

func TestInterrupt(t *testing.T) {
	d := open(t, slowSchema)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	var n int
	err := d.QueryRowContext(ctx, slowQuery).Scan(&n)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrQueryBudget) {
		t.Errorf("cancelled query: %v, want context.Canceled", err)
	}
	if took := time.Since(start); took > 1200*time.Millisecond {
		t.Errorf("stopped %v after the start, want within a second of the cancel", took)
	}
}

// TestBudgetTimersReleased: many short statements keep at most a couple
// of budget timers alive.
func TestBudgetTimersReleased(t *testing.T) {
	d := open(t, slowSchema)
	ctx := context.Background()
	for i := 0; i < 2000; i++ {
		var n int
		if err := d.QueryRowContext(ctx, "SELECT x FROM t WHERE x = ?", i%1000+1).Scan(&n); err != nil {
			t.Fatal(err)
		}
		rows, err := d.QueryContext(ctx, "SELECT x FROM t LIMIT 2")
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
		}
		rows.Close()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.stmts) > 2 {
		t.Errorf("%d statement budgets alive", len(d.stmts))
	}
}

// TestBudgetIgnoresCallerTime: the budget is SQLite's time, not the
// caller's. A module that spends longer than the budget on the rows of a
// quick query (a million messages decoded on a loaded machine) reads them
// all; that is what cut sms.db's message query on a 1M-row backup.
func TestBudgetIgnoresCallerTime(t *testing.T) {
	prev := QueryBudget
	// A budget far above SQLite's own time for these rows, so that a loaded
	// machine's scheduling delays cannot use it up; the caller's time is
	// still well past twice the budget.
	QueryBudget = 500 * time.Millisecond
	t.Cleanup(func() { QueryBudget = prev })
	d := open(t, slowSchema)
	rows, err := d.QueryContext(context.Background(), "SELECT x FROM t ORDER BY x LIMIT 8")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	start, n := time.Now(), 0
	for rows.Next() {
		var x int
		if err := rows.Scan(&x); err != nil {
			t.Fatal(err)
		}
		n++
		time.Sleep(150 * time.Millisecond) // the caller's work on the row
	}
	if err := rows.Err(); err != nil || n != 8 {
		t.Errorf("read %d of 8 rows in %v (budget %v), err %v", n, time.Since(start), QueryBudget, err)
	}
	if took := time.Since(start); took < 2*QueryBudget {
		t.Errorf("the caller's time (%v) should exceed the budget for this test to mean anything", took)
	}
}

// TestBudgetBetweenRows: a statement that returns rows quickly one by one
// but whose SQLite work never ends (1,000 results of 10^9 combinations) is
// cut once its rows' steps add up to the budget, though no single step
// does.
func TestBudgetBetweenRows(t *testing.T) {
	prev := QueryBudget
	QueryBudget = 300 * time.Millisecond
	t.Cleanup(func() { QueryBudget = prev })
	d := open(t, slowSchema)
	start := time.Now()
	rows, err := d.QueryContext(context.Background(), "SELECT a.x FROM t a, t b, t c WHERE (a.x * 7 + b.x * 3 + c.x) % 1009 = 5")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		n++
	}
	err = rows.Err()
	if !errors.Is(err, ErrQueryBudget) || !strings.Contains(err.Error(), "300ms") {
		t.Errorf("after %d rows: %v, want ErrQueryBudget with the limit", n, err)
	}
	if n == 0 {
		t.Error("no row before the budget ran out: this test wants rows produced one by one")
	}
	if took := time.Since(start); took > QueryBudget+time.Second {
		t.Errorf("stopped after %v", took)
	}
}

// TestSchemaChecks: HasColumns wants a real table with every column (any
// case); IntegerKey wants the column to be the INTEGER PRIMARY KEY alone.
func TestSchemaChecks(t *testing.T) {
	d := open(t, `CREATE TABLE a (Z_PK INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE b (id INTEGER, name TEXT);
CREATE TABLE c (id TEXT PRIMARY KEY, name TEXT);
CREATE TABLE e (id INTEGER, k INTEGER, PRIMARY KEY (id, k));
CREATE VIEW v AS SELECT 1 AS id;`)
	ctx := context.Background()
	for _, c := range []struct {
		table string
		cols  []string
		want  bool
	}{
		{"a", []string{"z_pk", "NAME"}, true},
		{"a", []string{"z_pk", "other"}, false},
		{"v", []string{"id"}, false},
		{"missing", nil, false},
	} {
		if got := d.HasColumns(ctx, c.table, c.cols...); got != c.want {
			t.Errorf("HasColumns(%s, %q) = %v", c.table, c.cols, got)
		}
	}
	for _, c := range []struct {
		table, col string
		want       bool
	}{
		{"a", "Z_PK", true}, {"a", "z_pk", true}, {"a", "name", false},
		{"b", "id", false}, {"c", "id", false}, {"e", "id", false}, {"missing", "id", false},
	} {
		if got := d.IntegerKey(ctx, c.table, c.col); got != c.want {
			t.Errorf("IntegerKey(%s, %s) = %v", c.table, c.col, got)
		}
	}
}
