// Package sqlitex owns opening SQLite databases from evidence without ever
// changing it: read-only and immutable when the database has no -wal file,
// otherwise from a private copy (db, -wal, -shm) in the scan's temp folder.
// Databases that are not plain files on disk (inside an archive, decrypted
// in memory) are copied to the temp folder too. It also offers helpers for
// schema drift (missing tables or columns) and salvage of corrupt files.
//
// An evidence database is hostile input: its schema is compiled into every
// query. So every connection refuses views and triggers (a view named like
// the table a module expects can hide an endless recursive query) and
// recursive queries, caps the length of any string or blob SQLite builds
// (a generated column can otherwise allocate a gigabyte per row), and gives
// each statement a budget of SQLite time (the caller's time between rows
// does not count, so a large table is never cut); a cancelled context interrupts a running
// statement (modernc.org/sqlite calls sqlite3_interrupt).
package sqlitex

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// OSPather is implemented by file systems whose files are plain files on
// disk; such databases without a WAL are opened in place, immutable.
type OSPather interface {
	OSPath(name string) (string, bool)
}

// DB is an open database and what must be released with it.
type DB struct {
	*sql.DB
	Name    string // path inside the acquisition
	cleanup func()
	guard   *guard
	mu      sync.Mutex
	stmts   []*stmt // budgets of statements not known to be finished
}

// Close closes the database and removes any private copy.
func (d *DB) Close() error {
	d.mu.Lock()
	for _, s := range d.stmts {
		s.release()
	}
	d.stmts = nil
	d.mu.Unlock()
	err := d.DB.Close()
	if d.cleanup != nil {
		d.cleanup()
	}
	return err
}

// Open opens name from fsys read-only. tempDir must be a private folder that
// the caller removes; a copy made there is removed by Close as well. A
// -wal file of zero bytes holds no frames, so it counts as none: the
// database is then the main file alone, opened immutable.
func Open(ctx context.Context, fsys fs.FS, name, tempDir string) (*DB, error) {
	if _, err := fs.Stat(fsys, name); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	wal, werr := fs.Stat(fsys, name+"-wal")
	hasWAL := werr == nil && wal.Size() != 0
	if op, ok := fsys.(OSPather); ok && !hasWAL {
		if p, ok := op.OSPath(name); ok {
			return openDSN(ctx, name, immutableDSN(p), nil)
		}
	}
	return openCopy(ctx, fsys, name, tempDir, hasWAL)
}

// openCopy opens a private copy of name (and of its -wal and -shm when
// hasWAL) made in a new folder under tempDir. The source is opened before
// the folder is made: a database listed but absent costs no folder.
func openCopy(ctx context.Context, fsys fs.FS, name, tempDir string, hasWAL bool) (*DB, error) {
	src, err := fsys.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && strings.Contains(err.Error(), name) {
			return nil, err // "open name: absent...": missing, not a failed copy
		}
		return nil, fmt.Errorf("%s: private copy: %w", name, err)
	}
	dir, err := os.MkdirTemp(tempDir, "db-*")
	if err != nil {
		src.Close()
		return nil, fmt.Errorf("%s: private copy: %w", name, err)
	}
	cleanup := func() { os.RemoveAll(dir) }
	dst := filepath.Join(dir, "db.sqlite")
	if err := copyFrom(src, dst); err != nil {
		cleanup()
		return nil, fmt.Errorf("%s: private copy: %w", name, err)
	}
	if hasWAL {
		for _, suffix := range []string{"-wal", "-shm"} {
			if _, err := fs.Stat(fsys, name+suffix); err == nil {
				if err := copyFile(fsys, name+suffix, dst+suffix); err != nil {
					cleanup()
					return nil, fmt.Errorf("%s%s: private copy: %w", name, suffix, err)
				}
			}
		}
	}
	dsn := "file:" + (&url.URL{Path: dst}).EscapedPath() + "?mode=ro"
	if !hasWAL {
		dsn = immutableDSN(dst)
	}
	return openDSN(ctx, name, dsn, cleanup)
}

func immutableDSN(p string) string {
	return "file:" + (&url.URL{Path: filepath.ToSlash(p)}).EscapedPath() + "?mode=ro&immutable=1"
}

func openDSN(ctx context.Context, name, dsn string, cleanup func()) (*DB, error) {
	g := &guard{}
	c, err := newConnector(dsn+"&_pragma=trusted_schema(0)&_pragma=query_only(1)", g)
	if err != nil {
		if cleanup != nil {
			cleanup()
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(1)
	d := &DB{DB: db, Name: name, cleanup: cleanup, guard: g}
	var n int
	if err := d.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		d.Close()
		return nil, fmt.Errorf("%s: not a readable SQLite database: %w", name, err)
	}
	return d, nil
}

func copyFile(fsys fs.FS, name, dst string) error {
	src, err := fsys.Open(name)
	if err != nil {
		return err
	}
	return copyFrom(src, dst)
}

// copyFrom copies src, which it closes, to a new file dst.
func copyFrom(src fs.File, dst string) error {
	defer src.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, cerr := io.Copy(out, src)
	return errors.Join(cerr, out.Close())
}

// HasTable reports whether the database has a table of that name, or a
// view standing in its place: reading it then fails with ErrRefused
// (CheckTable, the authorizer), so a hostile view is reported, never
// skipped as an absent table.
func (d *DB) HasTable(ctx context.Context, table string) bool {
	var n int
	err := d.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND name = ? COLLATE NOCASE", table).Scan(&n)
	return err == nil && n > 0
}

// CheckTable says whether table can be read: nil when it is a table,
// fs.ErrNotExist (wrapped) when nothing has that name, ErrRefused when it
// is a view or anything else standing where a table is expected.
func (d *DB) CheckTable(ctx context.Context, table string) error {
	var typ string
	err := d.QueryRowContext(ctx, "SELECT type FROM sqlite_master WHERE name = ? COLLATE NOCASE ORDER BY type = 'table' DESC LIMIT 1", table).Scan(&typ)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("%s: no table %s: %w", d.Name, table, fs.ErrNotExist)
	case err != nil:
		return fmt.Errorf("%s: table %s: %w", d.Name, table, err)
	case typ != "table":
		return fmt.Errorf("%s: %w: %s is a %s where a table is expected", d.Name, ErrRefused, table, typ)
	}
	return nil
}

// Columns returns the lower-cased column names of a table (nil if absent).
func (d *DB) Columns(ctx context.Context, table string) map[string]bool {
	rows, err := d.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil
	}
	defer rows.Close()
	cols := map[string]bool{}
	for rows.Next() {
		var c string
		if rows.Scan(&c) == nil {
			cols[strings.ToLower(c)] = true
		}
	}
	if len(cols) == 0 {
		return nil
	}
	return cols
}

// ColumnList returns the column names of a table as its schema spells
// them, in its order (nil if absent).
func (d *DB) ColumnList(ctx context.Context, table string) []string {
	rows, err := d.QueryContext(ctx, "SELECT name FROM pragma_table_info(?)", table)
	if err != nil {
		return nil
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if rows.Scan(&c) == nil {
			cols = append(cols, c)
		}
	}
	return cols
}

// HasColumns reports whether table is a real table (not a view standing
// for it) with every column of cols (compared without case).
func (d *DB) HasColumns(ctx context.Context, table string, cols ...string) bool {
	if d.CheckTable(ctx, table) != nil {
		return false
	}
	have := d.Columns(ctx, table)
	for _, c := range cols {
		if !have[strings.ToLower(c)] {
			return false
		}
	}
	return true
}

// IntegerKey reports whether col is table's INTEGER PRIMARY KEY on its own
// (the rowid, as in Core Data's Z_PK): its values are unique integers, and
// a join on it is a key look-up.
func (d *DB) IntegerKey(ctx context.Context, table, col string) bool {
	var keys, match int
	err := d.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(lower(name) = lower(?) AND upper(type) = 'INTEGER'), 0)
 FROM pragma_table_info(?) WHERE pk > 0`, col, table).Scan(&keys, &match)
	return err == nil && keys == 1 && match == 1
}
