// Package safezip owns reading zip archives in place as a read-only fs.FS,
// with the safety checks evidence needs: entries whose names are absolute or
// contain "..", and links that point outside the archive, make the whole
// archive refused (acquisition.ErrUnsafeArchive); declared inflated sizes are
// capped per entry and in total (decompression bombs), and archive/zip
// refuses to inflate more than an entry declares; a truncated or malformed
// archive is acquisition.ErrCorrupt. Nothing is ever extracted to disk,
// except when a caller asks for a random-access copy of a compressed nested
// archive (ReaderAt), which goes to the caller's private temp dir.
package safezip

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// Limits bounds what an archive may declare.
type Limits struct {
	MaxEntry   uint64 // inflated size of one entry
	MaxTotal   uint64 // inflated size of all entries
	MaxEntries int    // number of entries
}

// DefaultLimits fits real bugreports and androidqf acquisitions (a few GB)
// while refusing decompression bombs.
var DefaultLimits = Limits{MaxEntry: 16 << 30, MaxTotal: 64 << 30, MaxEntries: 5_000_000}

// maxLink is the longest symlink target read when checking links.
const maxLink = 4096

// FS is an opened zip archive. It implements fs.FS, fs.ReadDirFS,
// fs.StatFS and fs.ReadFileFS through archive/zip.
type FS struct {
	*zip.Reader
	name   string
	ra     io.ReaderAt
	close  func() error
	byName map[string]*zip.File
}

// Open opens the zip file at p.
func Open(p string, lim Limits) (*FS, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	z, err := New(f, st.Size(), p, lim)
	if err != nil {
		f.Close()
		return nil, err
	}
	z.close = f.Close
	return z, nil
}

// New reads the zip held in r (size bytes); name is used in errors.
func New(r io.ReaderAt, size int64, name string, lim Limits) (*FS, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("%s: %w: %v", name, acquisition.ErrCorrupt, err)
	}
	if err := check(zr, name, lim); err != nil {
		return nil, err
	}
	z := &FS{Reader: zr, name: name, ra: r, byName: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		z.byName[strings.TrimSuffix(f.Name, "/")] = f
	}
	return z, nil
}

// Close releases the underlying file when Open opened it.
func (z *FS) Close() error {
	if z.close == nil {
		return nil
	}
	return z.close()
}

// WithCloser makes Close of z also run c (for an archive read from an
// opened source).
func WithCloser(z *FS, c func() error) *FS {
	prev := z.close
	z.close = func() error {
		if prev != nil {
			prev()
		}
		return c()
	}
	return z
}

// Name is the archive's name as given.
func (z *FS) Name() string { return z.name }

func check(zr *zip.Reader, name string, lim Limits) error {
	if lim.MaxEntries > 0 && len(zr.File) > lim.MaxEntries {
		return fmt.Errorf("%s: %w: %d entries (limit %d)", name, acquisition.ErrUnsafeArchive, len(zr.File), lim.MaxEntries)
	}
	var total uint64
	for _, f := range zr.File {
		if !SafeName(f.Name) {
			return fmt.Errorf("%s: %w: entry %q", name, acquisition.ErrUnsafeArchive, f.Name)
		}
		if lim.MaxEntry > 0 && f.UncompressedSize64 > lim.MaxEntry {
			return fmt.Errorf("%s: %w: entry %q inflates to %d bytes (limit %d)", name, acquisition.ErrUnsafeArchive, f.Name, f.UncompressedSize64, lim.MaxEntry)
		}
		total += f.UncompressedSize64
		if lim.MaxTotal > 0 && total > lim.MaxTotal {
			return fmt.Errorf("%s: %w: entries inflate to more than %d bytes", name, acquisition.ErrUnsafeArchive, lim.MaxTotal)
		}
		if f.Mode()&fs.ModeSymlink != 0 {
			if err := checkLink(f, name); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkLink(f *zip.File, name string) error {
	rc, err := f.Open()
	if err != nil {
		return fmt.Errorf("%s: %w: link %q: %v", name, acquisition.ErrCorrupt, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, maxLink+1))
	if err != nil {
		return fmt.Errorf("%s: %w: link %q: %v", name, acquisition.ErrCorrupt, f.Name, err)
	}
	target := strings.ReplaceAll(string(b), `\`, "/")
	if len(b) > maxLink || path.IsAbs(target) || hasDrive(target) ||
		!SafeName(path.Join(path.Dir(strings.ReplaceAll(f.Name, `\`, "/")), target)) {
		return fmt.Errorf("%s: %w: link %q points outside the archive", name, acquisition.ErrUnsafeArchive, f.Name)
	}
	return nil
}

// SafeName reports whether an archive entry name stays inside the root: not
// absolute, no drive letter, no ".." element (backslashes count as
// separators).
func SafeName(n string) bool {
	n = strings.ReplaceAll(n, `\`, "/")
	if n == "" || strings.HasPrefix(n, "/") || hasDrive(n) || strings.ContainsRune(n, 0) {
		return false
	}
	for _, el := range strings.Split(n, "/") {
		if el == ".." {
			return false
		}
	}
	return true
}

func hasDrive(n string) bool {
	return len(n) >= 2 && n[1] == ':' && (n[0]|0x20 >= 'a' && n[0]|0x20 <= 'z')
}

// Entry returns the zip entry for a path of the FS, or nil.
func (z *FS) Entry(name string) *zip.File { return z.byName[name] }

// ReaderAt gives random access to the contents of entry name, for a nested
// archive. A stored entry is read in place; a compressed one is inflated
// into a private file in tempDir (removed by the returned close). The
// inflated size is the entry's declared one, already capped by the limits.
func (z *FS) ReaderAt(ctx context.Context, name, tempDir string) (io.ReaderAt, int64, func() error, error) {
	f := z.byName[name]
	if f == nil {
		return nil, 0, nil, fmt.Errorf("%s: %s: %w", z.name, name, fs.ErrNotExist)
	}
	if f.Method == zip.Store {
		off, err := f.DataOffset()
		if err != nil {
			return nil, 0, nil, fmt.Errorf("%s: %s: %w: %v", z.name, name, acquisition.ErrCorrupt, err)
		}
		return io.NewSectionReader(z.ra, off, int64(f.UncompressedSize64)), int64(f.UncompressedSize64), func() error { return nil }, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%s: %s: %w: %v", z.name, name, acquisition.ErrCorrupt, err)
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(tempDir, "nested-*.zip")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%s: %s: %w", z.name, name, err)
	}
	cleanup := func() error { tmp.Close(); return os.Remove(tmp.Name()) }
	n, err := io.Copy(tmp, ctxReader{ctx, rc})
	if err != nil {
		cleanup()
		return nil, 0, nil, fmt.Errorf("%s: %s: %w: %v", z.name, name, acquisition.ErrCorrupt, err)
	}
	return tmp, n, cleanup, nil
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
