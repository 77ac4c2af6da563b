// Package store owns the lab's case store: users and sessions, cases and
// their members, acquisitions, scans (which are also the work queue),
// alerts, the observables every scan checked (for retro-hunt), retro-hunt
// runs and an append-only, hash-chained audit log.
//
// One schema, built by the same ordered migrations (migrations.go) on two
// engines: an embedded SQLite database in the lab's data folder
// (modernc.org/sqlite, pure Go, nothing to install) by default, and
// PostgreSQL (github.com/jackc/pgx/v5 through database/sql) when given a
// DSN. Queries are written once, with $N placeholders, in the SQL both
// engines share; the few differences (identity columns, the audit log's
// append-only trigger) are spelled out per engine inside a migration. The
// schema_version table records every migration applied.
//
// Result folders stay the files `spyscan scan` writes; the store indexes
// them (scans.result_dir) and keeps their alerts and observables so that
// pages and retro-hunt never read an acquisition again.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the pure-Go "sqlite" driver
)

// Engine is the database engine behind a Store.
type Engine string

// Engines.
const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// Sentinel outcomes.
var (
	// ErrNotFound: no such row (or one the user may not see).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the row exists already (a user name taken...).
	ErrConflict = errors.New("already exists")
	// ErrNewerSchema: the database was migrated by a newer spyscan.
	ErrNewerSchema = errors.New("the database schema is newer than this spyscan")
)

// Store is an open case store.
type Store struct {
	db     *sql.DB
	engine Engine
	where  string // the database file, or the DSN without its password
	now    func() time.Time
}

// Options says which database to open.
type Options struct {
	// DataDir holds the SQLite database (lab.db) when DSN is empty.
	DataDir string
	// DSN is a PostgreSQL connection string (postgres://... or key=value).
	DSN string
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// SQLiteFile is the name of the embedded database in the data folder.
const SQLiteFile = "lab.db"

// Open opens (creating if needed) and migrates the store.
func Open(ctx context.Context, opt Options) (*Store, error) {
	s := &Store{now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	var err error
	if opt.DSN != "" {
		s.engine, s.where = Postgres, redactDSN(opt.DSN)
		s.db, err = sql.Open("pgx", opt.DSN)
		if err != nil {
			return nil, fmt.Errorf("postgresql %s: %w", s.where, err)
		}
		s.db.SetMaxOpenConns(16)
		s.db.SetMaxIdleConns(8)
	} else {
		if err := os.MkdirAll(opt.DataDir, 0o700); err != nil {
			return nil, fmt.Errorf("%s: %w", opt.DataDir, err)
		}
		s.engine, s.where = SQLite, filepath.Join(opt.DataDir, SQLiteFile)
		s.db, err = sql.Open("sqlite", sqliteDSN(s.where))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.where, err)
		}
		// WAL: readers never wait for the writer; the pool is small
		// because SQLite has one writer at a time anyway.
		s.db.SetMaxOpenConns(8)
		s.db.SetMaxIdleConns(8)
	}
	if err := s.db.PingContext(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("%s %s: %w", s.engine, s.where, err)
	}
	if s.engine == SQLite {
		if err := os.Chmod(s.where, 0o600); err != nil {
			s.db.Close()
			return nil, fmt.Errorf("%s: %w", s.where, err)
		}
	}
	if err := s.migrate(ctx); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("%s %s: %w", s.engine, s.where, err)
	}
	return s, nil
}

// sqliteDSN: WAL, foreign keys, a busy timeout instead of immediate
// SQLITE_BUSY, and write transactions that take the write lock at BEGIN
// (no deadlock between two readers upgrading to writers).
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// redactDSN drops the password from a DSN so it can be logged.
func redactDSN(dsn string) string {
	if u, err := url.Parse(dsn); err == nil && u.Scheme != "" {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "REDACTED")
		}
		return u.String()
	}
	var out []string
	for _, f := range strings.Fields(dsn) {
		if k, _, ok := strings.Cut(f, "="); ok && k == "password" {
			f = "password=REDACTED"
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

// Engine is the engine behind the store.
func (s *Store) Engine() Engine { return s.engine }

// Where names the database (file or DSN without password).
func (s *Store) Where() string { return s.where }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// DB exposes the database to the packages of the lab that run their own
// bulk statements (retro-hunt).
func (s *Store) DB() *sql.DB { return s.db }

// tx runs fn in a transaction, committed when fn returns nil.
func (s *Store) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	t, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(t); err != nil {
		t.Rollback()
		return err
	}
	return t.Commit()
}

// ms is the stored form of a time: Unix milliseconds, UTC.
func ms(t time.Time) int64 { return t.UnixMilli() }

// fromMS is the inverse of ms.
func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

// nullMS stores a zero time as NULL.
func nullMS(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// fromNullMS reads a nullable time.
func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

// isUnique tells a unique-constraint violation, on either engine.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// notFound maps sql.ErrNoRows to ErrNotFound, naming what was looked for.
func notFound(err error, what string, id any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s %v: %w", what, id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("%s %v: %w", what, id, err)
	}
	return nil
}
