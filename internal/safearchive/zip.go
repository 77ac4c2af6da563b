package safearchive

import (
	"archive/tar"
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// ErrEncryptedZip: a password-protected zip (ZipCrypto or AES), which Go's
// archive/zip cannot open; said as such rather than as a corrupt entry.
var ErrEncryptedZip = fmt.Errorf("%w: a password-protected zip, which spyscan does not open: unzip it with its password (unzip, 7-Zip) and scan the folder", acquisition.ErrUnrecognised)

// MaxLink is the longest symlink target an archive may hold: a longer one
// refuses the archive (cutting it short could make it name another file).
const MaxLink = 4096

// FS is a zip archive read in place as a read-only fs.FS (fs.ReadDirFS,
// fs.StatFS and fs.ReadFileFS through archive/zip). Entries whose names
// leave the root, and links that point outside the archive, make the whole
// archive refused; declared inflated sizes are capped per entry, in total
// and in ratio to the archive's size, and archive/zip refuses to inflate
// more than an entry declares; a truncated or malformed archive is
// acquisition.ErrCorrupt; a device or FIFO entry is listed, and opening it
// fails with acquisition.ErrSpecialFile. Nothing is extracted to disk,
// except when a caller asks for a random-access copy of a compressed nested
// archive (ReaderAt), which goes to the caller's private temp dir.
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
		return nil, fmt.Errorf("%s: %w: %w", name, acquisition.ErrCorrupt, err)
	}
	if err := check(zr, name, size, lim); err != nil {
		return nil, err
	}
	z := &FS{Reader: zr, name: name, ra: r, byName: make(map[string]*zip.File, len(zr.File))}
	for _, f := range zr.File {
		z.byName[strings.TrimSuffix(f.Name, "/")] = f
	}
	return z, nil
}

// Open implements fs.FS; a device or FIFO entry is not read.
func (z *FS) Open(name string) (fs.File, error) {
	if f := z.byName[name]; f != nil && Special(f.Mode()) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: acquisition.ErrSpecialFile}
	}
	return z.Reader.Open(name)
}

// ReadFile implements fs.ReadFileFS through Open.
func (z *FS) ReadFile(name string) ([]byte, error) {
	f, err := z.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// Special reports whether mode is that of a device, FIFO or socket: such
// entries are listed, never read.
func Special(mode fs.FileMode) bool {
	return mode&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe|fs.ModeSocket) != 0
}

// TarSpecialMode is the file mode of a tar device or FIFO entry
// (tar.TypeChar, tar.TypeBlock, tar.TypeFifo), for readers that list it.
func TarSpecialMode(typ byte) fs.FileMode {
	switch typ {
	case tar.TypeChar:
		return fs.ModeDevice | fs.ModeCharDevice | 0o444
	case tar.TypeBlock:
		return fs.ModeDevice | 0o444
	}
	return fs.ModeNamedPipe | 0o444
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

func check(zr *zip.Reader, name string, size int64, lim Limits) error {
	if lim.MaxEntries > 0 && len(zr.File) > lim.MaxEntries {
		return fmt.Errorf("%s: %w: %d entries (limit %d)", name, acquisition.ErrUnsafeArchive, len(zr.File), lim.MaxEntries)
	}
	var total uint64
	for _, f := range zr.File {
		if f.Flags&0x1 != 0 { // APPNOTE 4.4.4 bit 0: the entry is encrypted
			return fmt.Errorf("%s: %w", name, ErrEncryptedZip)
		}
		if !SafeName(f.Name) {
			return fmt.Errorf("%s: %w: entry %q", name, acquisition.ErrUnsafeArchive, f.Name)
		}
		if lim.MaxEntry > 0 && f.UncompressedSize64 > lim.MaxEntry {
			return fmt.Errorf("%s: %w: entry %q inflates to %d bytes (limit %d)", name, acquisition.ErrUnsafeArchive, f.Name, f.UncompressedSize64, lim.MaxEntry)
		}
		if !PlausibleSize(f) {
			return fmt.Errorf("%s: %w: entry %q declares %d bytes from %d compressed bytes", name, acquisition.ErrUnsafeArchive, f.Name, f.UncompressedSize64, f.CompressedSize64)
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
	return lim.checkRatio(name, total, uint64(max(size, 0)))
}

// PlausibleSize refuses declared sizes that deflate cannot produce from the
// compressed bytes (at most ~1032 to 1), so that Stat sizes can be trusted
// by readers that pre-allocate.
func PlausibleSize(f *zip.File) bool {
	u, c := f.UncompressedSize64, f.CompressedSize64
	if f.Method == zip.Store {
		return u <= c
	}
	return u <= c*1100+1024
}

func checkLink(f *zip.File, name string) error {
	target, err := LinkTarget(f)
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	if !LinkInside(f.Name, target) {
		return fmt.Errorf("%s: %w: link %q points outside the archive", name, acquisition.ErrUnsafeArchive, f.Name)
	}
	return nil
}

// LinkTarget reads the target of a zip symlink entry: a target longer than
// MaxLink is ErrUnsafeArchive, an unreadable entry ErrCorrupt; both name the
// entry.
func LinkTarget(f *zip.File) (string, error) {
	rc, err := f.Open()
	if err != nil {
		return "", fmt.Errorf("%w: link %q: %w", acquisition.ErrCorrupt, f.Name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, MaxLink+1))
	if err != nil {
		return "", fmt.Errorf("%w: link %q: %w", acquisition.ErrCorrupt, f.Name, err)
	}
	if len(b) > MaxLink {
		return "", fmt.Errorf("%w: link %q: target longer than %d bytes", acquisition.ErrUnsafeArchive, f.Name, MaxLink)
	}
	return string(b), nil
}

// Entry returns the zip entry for a path of the FS, or nil.
func (z *FS) Entry(name string) *zip.File { return z.byName[name] }

// ReaderAt gives random access to the contents of entry name, for a nested
// archive. A stored entry is read in place; a compressed one is inflated
// into a private file in tempDir (removed by the returned close), when the
// disk has room for it. The inflated size is the entry's declared one,
// already capped by the limits.
func (z *FS) ReaderAt(ctx context.Context, name, tempDir string) (io.ReaderAt, int64, func() error, error) {
	f := z.byName[name]
	where := z.name + "/" + name
	if f == nil {
		return nil, 0, nil, fmt.Errorf("%s: %w", where, fs.ErrNotExist)
	}
	if f.Method == zip.Store {
		off, err := f.DataOffset()
		if err != nil {
			return nil, 0, nil, fmt.Errorf("%s: %w: %w", where, acquisition.ErrCorrupt, err)
		}
		return io.NewSectionReader(z.ra, off, int64(f.UncompressedSize64)), int64(f.UncompressedSize64), func() error { return nil }, nil
	}
	rc, err := f.Open()
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%s: %w: %w", where, acquisition.ErrCorrupt, err)
	}
	defer rc.Close()
	tmp, err := os.CreateTemp(tempDir, "nested-*.zip")
	if err != nil {
		return nil, 0, nil, fmt.Errorf("%s: %w", where, err)
	}
	cleanup := func() error { tmp.Close(); return os.Remove(tmp.Name()) }
	n, err := InflateTo(ctx, tmp, Reader(ctx, rc), where, int64(f.UncompressedSize64))
	if err != nil {
		cleanup()
		if errors.Is(err, acquisition.ErrUnsafeArchive) || ctx.Err() != nil {
			return nil, 0, nil, err
		}
		return nil, 0, nil, fmt.Errorf("%s: %w: %w", where, acquisition.ErrCorrupt, err)
	}
	return tmp, n, cleanup, nil
}
