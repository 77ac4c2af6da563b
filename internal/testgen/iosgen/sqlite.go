package iosgen

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	_ "modernc.org/sqlite" // pure-Go SQLite driver
)

// Stmt is one SQL statement with its arguments.
type Stmt struct {
	SQL  string
	Args []any
}

// Ins builds an INSERT of vals into table's cols.
func Ins(table string, cols string, vals ...any) Stmt {
	q := "?" + strings.Repeat(",?", max(len(vals)-1, 0))
	return Stmt{SQL: fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", table, cols, q), Args: vals}
}

// SQLite writes a SQLite database in a temporary file, running the schema
// statements then stmts in one transaction (each distinct statement
// prepared once), and returns the file's bytes. It is the one place the
// generators open a database.
func SQLite(ctx context.Context, schema []string, stmts []Stmt) ([]byte, error) {
	dir, err := os.MkdirTemp("", "iosgen-sqlite-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "x.db")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // a no-op once committed
	for _, s := range schema {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return nil, fmt.Errorf("%s: %w", s, err)
		}
	}
	prepared := map[string]*sql.Stmt{}
	for _, s := range stmts {
		ps := prepared[s.SQL]
		if ps == nil {
			if ps, err = tx.PrepareContext(ctx, s.SQL); err != nil {
				return nil, fmt.Errorf("%s: %w", s.SQL, err)
			}
			prepared[s.SQL] = ps
		}
		if _, err := ps.ExecContext(ctx, s.Args...); err != nil {
			return nil, fmt.Errorf("%s %v: %w", s.SQL, s.Args, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// Rework runs f on a copy of the database db in a temporary file, inside
// one transaction, and returns the copy's bytes: the way a generator turns
// a well-formed database into a hostile one (a view in place of a table,
// a trigger...). db is not changed.
func Rework(ctx context.Context, db []byte, f func(ctx context.Context, tx *sql.Tx) error) ([]byte, error) {
	dir, err := os.MkdirTemp("", "iosgen-sqlite-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "x.db")
	if err := os.WriteFile(p, db, 0o600); err != nil {
		return nil, err
	}
	h, err := sql.Open("sqlite", p)
	if err != nil {
		return nil, err
	}
	defer h.Close()
	tx, err := h.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback() // a no-op once committed
	if err := f(ctx, tx); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	if _, err := h.ExecContext(ctx, "PRAGMA journal_mode=DELETE"); err != nil {
		return nil, err
	}
	if err := h.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// SQLiteWAL writes a database in write-ahead-log mode as a live app leaves
// it: the schema and stmts are checkpointed into the main file, walStmts
// are committed to the -wal file only. It returns the three files' bytes
// (db, -wal, -shm), read while the connection is still open (closing it
// would fold the WAL back into the main file). A reader that ignores the
// WAL sees only stmts.
func SQLiteWAL(ctx context.Context, schema []string, stmts, walStmts []Stmt) (db, wal, shm []byte, err error) {
	dir, err := os.MkdirTemp("", "iosgen-sqlite-*")
	if err != nil {
		return nil, nil, nil, err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "x.db")
	h, err := sql.Open("sqlite", p)
	if err != nil {
		return nil, nil, nil, err
	}
	defer h.Close()
	h.SetMaxOpenConns(1)
	exec := func(qs []Stmt) error {
		for _, s := range qs {
			if _, err := h.ExecContext(ctx, s.SQL, s.Args...); err != nil {
				return fmt.Errorf("%s %v: %w", s.SQL, s.Args, err)
			}
		}
		return nil
	}
	setup := []Stmt{{SQL: "PRAGMA journal_mode=WAL"}, {SQL: "PRAGMA wal_autocheckpoint=0"}}
	for _, s := range schema {
		setup = append(setup, Stmt{SQL: s})
	}
	if err := exec(setup); err != nil {
		return nil, nil, nil, err
	}
	if err := exec(stmts); err != nil {
		return nil, nil, nil, err
	}
	if err := exec([]Stmt{{SQL: "PRAGMA wal_checkpoint(TRUNCATE)"}}); err != nil {
		return nil, nil, nil, err
	}
	if err := exec(walStmts); err != nil {
		return nil, nil, nil, err
	}
	if db, err = os.ReadFile(p); err == nil {
		if wal, err = os.ReadFile(p + "-wal"); err == nil {
			shm, err = os.ReadFile(p + "-shm")
		}
	}
	return db, wal, shm, err
}
