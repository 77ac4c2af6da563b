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
