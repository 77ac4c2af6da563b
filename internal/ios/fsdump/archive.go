// Package fsdump owns reading iOS full filesystem dumps — a folder, a .tar,
// a .tar.gz or a .zip — in place, as a read-only fs.FS whose paths are
// device paths without the leading slash ("private/var/mobile/..."). Entries
// whose names contain "..", are absolute, or are links escaping the root
// make the archive refused (acquisition.ErrUnsafeArchive). The archive
// reader (OpenArchive) is shared with the sysdiagnose package.
package fsdump

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/safearchive"
)

// Limits is what an archive may expand into (safearchive.DefaultLimits; a
// variable so that tests can use small ones).
var Limits = safearchive.DefaultLimits

var (
	maxLinkHops     = 16
	errTooManyLinks = errors.New("too many levels of symbolic links")
)

// Format of an archive.
type Format int

// Archive formats.
const (
	NotArchive Format = iota
	Tar
	TarGz
	Zip
)

// Sniff tells an archive's format from its first bytes.
func Sniff(p string) Format {
	f, err := os.Open(p)
	if err != nil {
		return NotArchive
	}
	defer f.Close()
	head := make([]byte, 512)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	switch {
	case len(head) >= 4 && string(head[:4]) == "PK\x03\x04":
		return Zip
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return TarGz
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return Tar
	}
	return NotArchive
}

type entry struct {
	name     string
	mode     fs.FileMode
	size     int64
	mtime    time.Time
	children []string
	offset   int64     // tar: data offset
	zf       *zip.File // zip entry
	link     string    // symlink or hard-link target, cleaned FS path
	abs      bool      // symlink target was absolute: relative to the device root
	hard     bool
}

// Archive is a .tar, .tar.gz or .zip read in place as an fs.FS.
type Archive struct {
	Path    string
	entries map[string]*entry
	ra      io.ReaderAt // tar data (the file, or the inflated private copy)
	closers []io.Closer
	tmp     string // private inflated copy of a .tar.gz, removed by Close
	base    string // device root inside the archive, for absolute link targets
}

// OpenArchive indexes the archive at p. A .tar.gz is inflated once into a
// private file under tempDir (the evidence is only read).
func OpenArchive(ctx context.Context, p, tempDir string) (*Archive, error) {
	a := &Archive{Path: p, entries: map[string]*entry{".": {name: ".", mode: fs.ModeDir | 0o555}}}
	var err error
	switch Sniff(p) {
	case Zip:
		err = a.indexZip(p)
	case Tar:
		err = a.indexTarFile(ctx, p)
	case TarGz:
		err = a.indexTarGz(ctx, p, tempDir)
	default:
		err = fmt.Errorf("%s: %w: not a tar, tar.gz or zip archive", p, acquisition.ErrUnrecognised)
	}
	if err != nil {
		a.Close()
		return nil, err
	}
	if err := a.checkLinks(); err != nil {
		a.Close()
		return nil, err
	}
	for _, e := range a.entries {
		sort.Strings(e.children)
	}
	return a, nil
}

// Close releases the archive and removes any inflated copy.
func (a *Archive) Close() error {
	var errs []error
	for _, c := range a.closers {
		errs = append(errs, c.Close())
	}
	a.closers = nil
	if a.tmp != "" {
		errs = append(errs, os.RemoveAll(a.tmp))
		a.tmp = ""
	}
	return errors.Join(errs...)
}

// cleanName validates an entry name (safearchive.SafeName) and returns its
// FS path.
func (a *Archive) cleanName(name string) (string, error) {
	n := strings.ReplaceAll(name, "\\", "/")
	if n == "" || path.Clean(n) == "." {
		return ".", nil
	}
	if !safearchive.SafeName(n) {
		return "", fmt.Errorf("%s: %w: entry name %q (absolute, with .., a drive letter or NUL)", a.Path, acquisition.ErrUnsafeArchive, name)
	}
	n = path.Clean(n)
	if !fs.ValidPath(n) {
		return "", fmt.Errorf("%s: %w: invalid entry name %q", a.Path, acquisition.ErrUnsafeArchive, name)
	}
	return n, nil
}

func (a *Archive) add(p string, e *entry) error {
	if len(a.entries) >= Limits.MaxEntries {
		return fmt.Errorf("%s: %w: more than %d entries", a.Path, acquisition.ErrUnsafeArchive, Limits.MaxEntries)
	}
	if p == "." {
		return nil
	}
	e.name = path.Base(p)
	if old := a.entries[p]; old != nil {
		if old.mode.IsDir() && e.mode.IsDir() {
			old.mode, old.mtime = e.mode, e.mtime
			return nil
		}
		e.children = old.children
		a.entries[p] = e // a later entry replaces an earlier one, as tar extraction does
		return nil
	}
	a.entries[p] = e
	for child := p; ; {
		parent := path.Dir(child)
		pe := a.entries[parent]
		if pe == nil {
			pe = &entry{name: path.Base(parent), mode: fs.ModeDir | 0o555}
			a.entries[parent] = pe
			pe.children = append(pe.children, path.Base(child))
			child = parent
			continue
		}
		pe.children = append(pe.children, path.Base(child))
		return nil
	}
}

// linkTarget resolves a symlink target relative to the link's folder; an
// absolute target is relative to the archive root (the device root).
func (a *Archive) linkTarget(linkPath, target string) (string, bool, error) {
	if len(target) > safearchive.MaxLink {
		return "", false, fmt.Errorf("%s: %w: link %s: target longer than %d bytes", a.Path, acquisition.ErrUnsafeArchive, linkPath, safearchive.MaxLink)
	}
	t := strings.ReplaceAll(target, "\\", "/")
	var full string
	abs := strings.HasPrefix(t, "/")
	if abs {
		full = strings.TrimLeft(t, "/")
	} else {
		full = path.Join(path.Dir(linkPath), t)
	}
	// path.Join cleans; any remaining leading ".." escapes the root.
	full = path.Clean(full)
	if full == ".." || strings.HasPrefix(full, "../") {
		return "", false, fmt.Errorf("%s: %w: link %s → %s escapes the root", a.Path, acquisition.ErrUnsafeArchive, linkPath, target)
	}
	if full == "" {
		full = "."
	}
	return full, abs, nil
}

// SetDeviceRoot sets the folder that absolute link targets are relative to.
func (a *Archive) SetDeviceRoot(dir string) { a.base = dir }

func (a *Archive) checkLinks() error {
	for p, e := range a.entries {
		if e.link == "" {
			continue
		}
		if e.hard {
			t := a.entries[e.link]
			if t == nil || t.mode.IsDir() || t.link != "" {
				return fmt.Errorf("%s: %w: hard link %s to missing %s", a.Path, acquisition.ErrCorrupt, p, e.link)
			}
			e.offset, e.zf, e.size = t.offset, t.zf, t.size
			e.link, e.hard = "", false
		}
	}
	return nil
}

func (a *Archive) indexZip(p string) error {
	zr, err := zip.OpenReader(p)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", p, acquisition.ErrCorrupt, err)
	}
	a.closers = append(a.closers, zr)
	for _, f := range zr.File {
		name, err := a.cleanName(f.Name)
		if err != nil {
			return err
		}
		mode := f.Mode()
		if f.UncompressedSize64 > Limits.MaxEntry || !safearchive.PlausibleSize(f) {
			return fmt.Errorf("%s: %s: %w: declared size %d from %d compressed bytes", p, f.Name, acquisition.ErrUnsafeArchive, f.UncompressedSize64, f.CompressedSize64)
		}
		e := &entry{mode: mode.Perm() | mode.Type()&(fs.ModeDevice|fs.ModeCharDevice|fs.ModeNamedPipe|fs.ModeSocket), size: int64(f.UncompressedSize64), mtime: f.Modified.UTC(), zf: f}
		switch {
		case strings.HasSuffix(f.Name, "/") || mode.IsDir():
			e = &entry{mode: fs.ModeDir | 0o555, mtime: f.Modified.UTC()}
		case mode&fs.ModeSymlink != 0:
			target, err := safearchive.LinkTarget(f)
			if err != nil {
				return fmt.Errorf("%s: %w", p, err)
			}
			if e.link, e.abs, err = a.linkTarget(name, target); err != nil {
				return err
			}
			e.mode = fs.ModeSymlink | 0o777
			e.zf, e.size = nil, int64(len(target))
		}
		if err := a.add(name, e); err != nil {
			return err
		}
	}
	return nil
}

func (a *Archive) indexTarFile(ctx context.Context, p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	a.closers = append(a.closers, f)
	a.ra = f
	return a.indexTar(ctx, f)
}

// countingSeeker tracks the offset of a tar stream read from a file and
// lets archive/tar skip file data by seeking.
type countingSeeker struct {
	f io.ReadSeeker
	n int64
}

func (c *countingSeeker) Read(p []byte) (int, error) {
	n, err := c.f.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingSeeker) Seek(off int64, whence int) (int64, error) {
	pos, err := c.f.Seek(off, whence)
	if err == nil {
		c.n = pos
	}
	return pos, err
}

func (a *Archive) indexTarGz(ctx context.Context, p, tempDir string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	m := safearchive.NewMeter(ctx, p, Limits)
	zr, err := gzip.NewReader(bufio.NewReaderSize(m.Source(f), 1<<20))
	if err != nil {
		return fmt.Errorf("%s: %w: %w", p, acquisition.ErrCorrupt, err)
	}
	dir, err := os.MkdirTemp(tempDir, "archive-*")
	if err != nil {
		return err
	}
	a.tmp = dir
	out, err := os.OpenFile(dir+"/inflated.tar", os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	a.closers = append(a.closers, out)
	if _, err := safearchive.InflateTo(ctx, out, m.Reader(zr), p, 0); err != nil {
		if errors.Is(err, acquisition.ErrUnsafeArchive) || errors.Is(err, safearchive.ErrNoSpace) || ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("%s: %w: %w", p, acquisition.ErrCorrupt, err)
	}
	if _, err := out.Seek(0, io.SeekStart); err != nil {
		return err
	}
	a.ra = out
	return a.indexTar(ctx, out)
}

func (a *Archive) indexTar(ctx context.Context, r io.ReadSeeker) error {
	total, err := r.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return err
	}
	cr := &countingSeeker{f: r}
	tr := tar.NewReader(cr)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w: %w", a.Path, acquisition.ErrCorrupt, err)
		}
		name, err := a.cleanName(h.Name)
		if err != nil {
			return err
		}
		e := &entry{mode: fs.FileMode(h.Mode).Perm(), size: h.Size, mtime: h.ModTime.UTC(), offset: cr.n}
		if h.Size < 0 || cr.n+h.Size > total {
			return fmt.Errorf("%s: %s: %w: entry data past the end of the archive", a.Path, h.Name, acquisition.ErrCorrupt)
		}
		switch h.Typeflag {
		case tar.TypeDir:
			e = &entry{mode: fs.ModeDir | 0o555, mtime: h.ModTime.UTC()}
		case tar.TypeSymlink:
			if e.link, e.abs, err = a.linkTarget(name, h.Linkname); err != nil {
				return err
			}
			e.mode, e.size = fs.ModeSymlink|0o777, int64(len(h.Linkname))
		case tar.TypeLink:
			t, err := a.cleanName(h.Linkname)
			if err != nil {
				return err
			}
			e.link, e.hard, e.size = t, true, 0
		case tar.TypeReg:
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			// listed, never read: a device or FIFO where a database should
			// be is reported as unreadable by the module that wants it
			e.mode, e.size = safearchive.TarSpecialMode(h.Typeflag), 0
		default:
			continue // extended headers
		}
		if err := a.add(name, e); err != nil {
			return err
		}
	}
}

// Open implements fs.FS. Symlinks are followed inside the archive.
func (a *Archive) Open(name string) (fs.File, error) {
	p, e, err := a.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	info := fileInfo{e: e}
	if e.mode.IsDir() {
		return &dirFile{a: a, path: p, e: e}, nil
	}
	if !e.mode.IsRegular() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: acquisition.ErrSpecialFile}
	}
	switch {
	case e.zf != nil:
		rc, err := e.zf.Open()
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &file{r: io.LimitReader(rc, e.size), c: rc, info: info}, nil
	case a.ra != nil:
		return &file{r: io.NewSectionReader(a.ra, e.offset, e.size), info: info}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// Stat implements fs.StatFS (following symlinks, like os.Stat).
func (a *Archive) Stat(name string) (fs.FileInfo, error) {
	_, e, err := a.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return fileInfo{e: e}, nil
}

// Lstat describes name without following a final symlink.
func (a *Archive) Lstat(name string) (fs.FileInfo, error) {
	_, e, err := a.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	return fileInfo{e: e}, nil
}

// ReadLink returns the resolved target path of a symlink.
func (a *Archive) ReadLink(name string) (string, error) {
	_, e, err := a.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	if e.link == "" {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return e.link, nil
}

// ReadDir implements fs.ReadDirFS.
func (a *Archive) ReadDir(name string) ([]fs.DirEntry, error) {
	p, e, err := a.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	if !e.mode.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	return a.dirEntries(p, e), nil
}

func (a *Archive) dirEntries(p string, e *entry) []fs.DirEntry {
	out := make([]fs.DirEntry, 0, len(e.children))
	for _, c := range e.children {
		cp := c
		if p != "." {
			cp = p + "/" + c
		}
		out = append(out, fs.FileInfoToDirEntry(fileInfo{e: a.entries[cp]}))
	}
	return out
}

// resolve finds name's entry, following symlinks in parent folders (and in
// the final element when follow is set), staying inside the archive.
func (a *Archive) resolve(op, name string, follow bool) (string, *entry, error) {
	if !fs.ValidPath(name) {
		return "", nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	cur := "."
	parts := []string{}
	if name != "." {
		parts = strings.Split(name, "/")
	}
	hops := 0
	for i := 0; i < len(parts); i++ {
		next := parts[i]
		if cur != "." {
			next = cur + "/" + parts[i]
		}
		e := a.entries[next]
		if e == nil {
			return "", nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		last := i == len(parts)-1
		if e.link != "" && (!last || follow) {
			if hops++; hops > maxLinkHops {
				return "", nil, &fs.PathError{Op: op, Path: name, Err: errTooManyLinks}
			}
			// restart from the link target with the remaining parts
			rest := parts[i+1:]
			target := e.link
			if e.abs && a.base != "" {
				target = path.Join(a.base, target)
			}
			parts = append(splitPath(target), rest...)
			cur, i = ".", -1
			continue
		}
		cur = next
	}
	return cur, a.entries[cur], nil
}

func splitPath(p string) []string {
	if p == "." || p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

type fileInfo struct{ e *entry }

func (f fileInfo) Name() string       { return f.e.name }
func (f fileInfo) Size() int64        { return f.e.size }
func (f fileInfo) Mode() fs.FileMode  { return f.e.mode }
func (f fileInfo) ModTime() time.Time { return f.e.mtime }
func (f fileInfo) IsDir() bool        { return f.e.mode.IsDir() }
func (f fileInfo) Sys() any           { return nil }

type file struct {
	r    io.Reader
	c    io.Closer
	info fileInfo
}

func (f *file) Read(p []byte) (int, error) { return f.r.Read(p) }
func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error {
	if f.c != nil {
		return f.c.Close()
	}
	return nil
}

type dirFile struct {
	a    *Archive
	path string
	e    *entry
	ents []fs.DirEntry
	read bool
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return fileInfo{e: d.e}, nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: errors.New("is a directory")}
}
func (d *dirFile) Close() error { return nil }
func (d *dirFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if !d.read {
		d.ents, d.read = d.a.dirEntries(d.path, d.e), true
	}
	if n <= 0 {
		out := d.ents
		d.ents = nil
		return out, nil
	}
	if len(d.ents) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(d.ents))
	out := d.ents[:n]
	d.ents = d.ents[n:]
	return out, nil
}
