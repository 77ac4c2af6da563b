// Command iosfloor measures the parts of an iOS backup scan that no change
// of spyscan's own code removes while its result files stay as they are:
// the custody hash of every input file, every row of the backup's large
// databases read once through database/sql and modernc.org/sqlite (opened
// as the modules open them, by sqlitex), gzip at level 1 of the bytes the
// scan's compressed result files hold, and the writes of the result
// folder. Each part is timed in CPU seconds of this process (user + system,
// getrusage), -n times, and the median printed:
//
//	CGO_ENABLED=0 go build -o /tmp/iosfloor ./bench/iosfloor
//	GOMAXPROCS=1 /tmp/iosfloor -n 5 -results SCAN_OUTPUT INPUT
//
// SCAN_OUTPUT is the folder of a finished `spyscan scan` of INPUT (its .gz
// files are decompressed once, untimed, and compressed again each round).
package main

import (
	"bytes"
	"context"
	"database/sql/driver"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/spyscan/spyscan/internal/scan"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// minDB is the size from which a database counts as large.
const minDB = 512 << 10

func main() {
	n := flag.Int("n", 3, "rounds (the median is printed)")
	results := flag.String("results", "", "result folder of a scan of INPUT (gzip and write parts; none when empty)")
	flag.Parse()
	if flag.NArg() != 1 || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: iosfloor [-n N] [-results SCAN_OUTPUT] INPUT")
		os.Exit(2)
	}
	if err := run(context.Background(), flag.Arg(0), *results, *n); err != nil {
		fmt.Fprintln(os.Stderr, "iosfloor:", err)
		os.Exit(1)
	}
}

// part is one measured part: what it did and its function.
type part struct {
	name string
	fn   func() (string, error)
}

func run(ctx context.Context, input, results string, n int) error {
	dbs, err := largeDatabases(input)
	if err != nil {
		return err
	}
	parts := []part{
		{"input hashing (scan.HashPath: walk, open, read, SHA-256, fstat)", func() (string, error) { return hashAll(ctx, input) }},
		{"rows of the large databases (sqlitex.DB.EachRow as the modules read them, SELECT * of every table)", func() (string, error) { return readAll(ctx, input, dbs) }},
	}
	if results != "" {
		plain, sizes, err := loadResults(results)
		if err != nil {
			return err
		}
		tmp, err := os.MkdirTemp("", "iosfloor-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		parts = append(parts,
			part{"gzip level 1 of the compressed result files' content", func() (string, error) { return compressAll(plain) }},
			part{"writes of the result folder's bytes (64 KB writes)", func() (string, error) { return writeAll(tmp, sizes) }})
	}
	var total time.Duration
	for _, p := range parts {
		med, what, err := measure(p.fn, n)
		if err != nil {
			return fmt.Errorf("%s: %w", p.name, err)
		}
		total += med
		fmt.Printf("%7.3f CPU-s  %s: %s\n", med.Seconds(), p.name, what)
	}
	fmt.Printf("%7.3f CPU-s  total of the medians\n", total.Seconds())
	return nil
}

// measure runs fn n times and returns the median CPU time of a run.
func measure(fn func() (string, error), n int) (time.Duration, string, error) {
	var times []time.Duration
	var what string
	for range n {
		before := cpuTime()
		w, err := fn()
		if err != nil {
			return 0, "", err
		}
		times = append(times, cpuTime()-before)
		what = w
	}
	slices.Sort(times)
	return times[(len(times)-1)/2], what, nil
}

// cpuTime is the process's user and system time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func hashAll(ctx context.Context, input string) (string, error) {
	files, err := scan.HashPath(ctx, input)
	if err != nil {
		return "", err
	}
	var size int64
	for _, f := range files {
		size += f.Size
	}
	return fmt.Sprintf("%d files, %.1f MB", len(files), float64(size)/1e6), nil
}

// largeDatabases lists the SQLite files of at least minDB bytes below
// root, as paths relative to it.
func largeDatabases(root string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil || info.Size() < minDB {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		head := make([]byte, 16)
		_, rerr := io.ReadFull(f, head)
		f.Close()
		if rerr == nil && string(head) == "SQLite format 3\x00" {
			rel, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out, err
}

func readAll(ctx context.Context, root string, dbs []string) (string, error) {
	fsys := dirFS{os.DirFS(root).(fs.StatFS), root}
	tmp, err := os.MkdirTemp("", "iosfloor-db-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	rows, values := 0, 0
	var per []string
	for _, name := range dbs {
		r, v, err := readDB(ctx, fsys, name, tmp)
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		rows, values = rows+r, values+v
		per = append(per, fmt.Sprintf("%s %d rows", path.Base(name), r))
	}
	return fmt.Sprintf("%d databases (%s), %d rows, %d values", len(dbs), strings.Join(per, ", "), rows, values), nil
}

// dirFS is a folder whose files are plain files on disk (sqlitex opens
// them in place, as the scan's acquisition does).
type dirFS struct {
	fs.StatFS
	root string
}

func (d dirFS) OSPath(name string) (string, bool) { return filepath.Join(d.root, name), true }

func readDB(ctx context.Context, fsys dirFS, name, tmp string) (int, int, error) {
	db, err := sqlitex.Open(ctx, fsys, name, tmp)
	if err != nil {
		return 0, 0, err
	}
	defer db.Close()
	var tables []string
	q, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
	if err != nil {
		return 0, 0, err
	}
	for q.Next() {
		var t string
		if err := q.Scan(&t); err != nil {
			q.Close()
			return 0, 0, err
		}
		tables = append(tables, t)
	}
	if err := errors.Join(q.Err(), q.Close()); err != nil {
		return 0, 0, err
	}
	rows, values := 0, 0
	for _, t := range tables {
		r, v, err := readTable(ctx, db, t)
		if err != nil {
			return 0, 0, fmt.Errorf("table %s: %w", t, err)
		}
		rows, values = rows+r, values+v
	}
	return rows, values, nil
}

func readTable(ctx context.Context, db *sqlitex.DB, table string) (int, int, error) {
	n, values := 0, 0
	err := db.EachRow(ctx, `SELECT * FROM "`+strings.ReplaceAll(table, `"`, `""`)+`"`, func(vals []driver.Value) error {
		n++
		values += len(vals)
		return nil
	})
	return n, values, err
}

// loadResults reads a result folder: the decompressed content of its .gz
// files, and the size of every file.
func loadResults(dir string) ([][]byte, []int64, error) {
	var plain [][]byte
	var sizes []int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sizes = append(sizes, int64(len(b)))
		if !strings.HasSuffix(p, ".gz") {
			return nil
		}
		z, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		c, err := io.ReadAll(z)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		plain = append(plain, c)
		return nil
	})
	return plain, sizes, err
}

func compressAll(plain [][]byte) (string, error) {
	z, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	var in int
	cw := &countWriter{}
	for _, b := range plain {
		z.Reset(cw)
		if _, err := z.Write(b); err != nil {
			return "", err
		}
		if err := z.Close(); err != nil {
			return "", err
		}
		in += len(b)
	}
	return fmt.Sprintf("%d files, %.1f MB into %.1f MB", len(plain), float64(in)/1e6, float64(cw.n)/1e6), nil
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

func writeAll(dir string, sizes []int64) (string, error) {
	buf := make([]byte, 64<<10)
	var total int64
	for i, size := range sizes {
		p := filepath.Join(dir, fmt.Sprint(i))
		f, err := os.Create(p)
		if err != nil {
			return "", err
		}
		for left := size; left > 0; {
			k := min(left, int64(len(buf)))
			if _, err := f.Write(buf[:k]); err != nil {
				f.Close()
				return "", err
			}
			left -= k
		}
		if err := f.Close(); err != nil {
			return "", err
		}
		total += size
		if err := os.Remove(p); err != nil {
			return "", err
		}
	}
	return fmt.Sprintf("%d files, %.1f MB", len(sizes), float64(total)/1e6), nil
}
