package sqlitex

import (
	"context"
	"database/sql"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// pathFS is a folder's FS that tells SQLite the files' paths, as a plain
// acquisition folder does.
type pathFS struct {
	fs.FS
	dir string
}

func (p pathFS) OSPath(name string) (string, bool) {
	if _, err := fs.Stat(p.FS, name); err != nil {
		return "", false
	}
	return filepath.Join(p.dir, name), true
}

// listedFS lists every name (Stat succeeds) but opens none, as a backup
// whose Manifest.db lists files missing from its folder.
type listedFS struct{}

func (listedFS) Open(name string) (fs.File, error) {
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (listedFS) Stat(name string) (fs.FileInfo, error) {
	return fakeInfo(name), nil
}

type fakeInfo string

func (f fakeInfo) Name() string     { return string(f) }
func (fakeInfo) Size() int64        { return 1 }
func (fakeInfo) Mode() fs.FileMode  { return 0o444 }
func (fakeInfo) ModTime() time.Time { return time.Time{} }
func (fakeInfo) IsDir() bool        { return false }
func (fakeInfo) Sys() any           { return nil }

// walDB writes e.db in WAL mode with n rows of t, of which the last
// walRows are only in e.db-wal (copied while the writer held them there);
// emptyWAL leaves a -wal of zero bytes and a -shm beside a complete e.db.
func walDB(t *testing.T, n, walRows int, emptyWAL bool) string {
	t.Helper()
	src, dst := t.TempDir(), t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(src, "e.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	stmts := []string{"PRAGMA journal_mode=WAL", "PRAGMA wal_autocheckpoint=0", "CREATE TABLE t(x INTEGER)"}
	for i := range n {
		if i == n-walRows {
			stmts = append(stmts, "PRAGMA wal_checkpoint(TRUNCATE)")
		}
		stmts = append(stmts, "INSERT INTO t VALUES (1)")
	}
	if walRows == 0 {
		stmts = append(stmts, "PRAGMA wal_checkpoint(TRUNCATE)")
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			t.Fatal(s, err)
		}
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(filepath.Join(src, "e.db"+suffix))
		if err != nil {
			t.Fatal(err)
		}
		if suffix == "-wal" && emptyWAL {
			b = nil
		}
		if err := os.WriteFile(filepath.Join(dst, "e.db"+suffix), b, 0o400); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// TestOpenPrivateCopy: a database with WAL frames is read from a private
// copy with them; without (no -wal, or one of zero bytes) it is opened in
// place when the FS says where, copied alone otherwise; a listed but absent
// database is reported missing without making any folder (its temp folder
// is a file here, where none can be made).
func TestOpenPrivateCopy(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		fsys     func(t *testing.T) fs.FS
		rows     int // rows read; -1: Open fails with fs.ErrNotExist
		copyDirs int // folders in tempDir while the database is open
	}{
		{"frames in the WAL, copied", func(t *testing.T) fs.FS { return pathFS{os.DirFS(walDB(t, 5, 2, false)), ""} }, 5, 1},
		{"empty WAL, in place", func(t *testing.T) fs.FS { d := walDB(t, 5, 0, true); return pathFS{os.DirFS(d), d} }, 5, 0},
		{"empty WAL, not on disk", func(t *testing.T) fs.FS { return os.DirFS(walDB(t, 5, 0, true)) }, 5, 1},
		{"listed but absent", func(t *testing.T) fs.FS { return listedFS{} }, -1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			if tt.rows < 0 {
				tmp = filepath.Join(tmp, "file")
				if err := os.WriteFile(tmp, nil, 0o600); err != nil {
					t.Fatal(err)
				}
				_, err := Open(ctx, tt.fsys(t), "e.db", tmp)
				if !errors.Is(err, fs.ErrNotExist) || err.Error() != "open e.db: file does not exist" {
					t.Fatalf("Open: %v, want open e.db: file does not exist", err)
				}
				return
			}
			d, err := Open(ctx, tt.fsys(t), "e.db", tmp)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			var n int
			if err := d.QueryRowContext(ctx, "SELECT count(*) FROM t").Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != tt.rows {
				t.Errorf("read %d rows, want %d", n, tt.rows)
			}
			ents, err := os.ReadDir(tmp)
			if err != nil {
				t.Fatal(err)
			}
			if len(ents) != tt.copyDirs {
				t.Errorf("%d folders in the temp folder, want %d", len(ents), tt.copyDirs)
			}
		})
	}
}
