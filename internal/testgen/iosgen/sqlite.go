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
