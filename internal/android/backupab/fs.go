package backupab

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/safearchive"
)

// Limits bounds what a backup may hold (safearchive's limits on the tar
// stream: entries, inflated bytes and ratio) and what is cached in memory.
type Limits struct {
	safearchive.Limits
	CacheFile  int64 // files up to this size are kept in memory
	CacheTotal int64 // ... until this many bytes are cached
}

// DefaultLimits keeps the SMS, call-log and settings backups in memory and
// re-streams the rest.
var DefaultLimits = Limits{
	Limits:    safearchive.Limits{MaxTotal: 64 << 30, MaxEntries: 2_000_000, MaxRatio: safearchive.DefaultLimits.MaxRatio},
	CacheFile: 8 << 20, CacheTotal: 256 << 20}

// Source opens the backup.ab from its start; it is called once to index the
// tar and again for each uncached file opened.
type Source func() (io.ReadCloser, error)

// FS is the tar inside a backup.ab as a read-only fs.FS.
type FS struct {
	name   string
	src    Source
	keys   *Keys
	Header *Header
	lim    Limits
	nodes  map[string]*node
}

type node struct {
	name    string // full path, "." for the root
	dir     bool
	size    int64
	mode    fs.FileMode
	mtime   time.Time
	ordinal int // position in the tar
	data    []byte
	cached  bool
	kids    []string
}

// Open indexes the backup read from src in one streaming pass. name is used
// in errors. When the tar is cut short, the FS of what was read is returned
// together with an error wrapping acquisition.ErrCorrupt.
func Open(ctx context.Context, name string, src Source, password PasswordFunc, lim Limits) (*FS, error) {
	rc, err := src()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer rc.Close()
	m := safearchive.NewMeter(ctx, "", lim.Limits)
	var payload io.Reader
	var h *Header
	var keys *Keys
	err = acquisition.Interruptible(ctx, func() (err error) { // key derivation: up to 10 million rounds
		payload, h, keys, err = Payload(m.Source(rc), password, nil)
		return err
	})
	if err != nil && ctx.Err() != nil {
		return nil, err // interrupted: not the backup's fault
	}
	if err != nil {
		if errors.Is(err, ErrNotBackup) {
			return nil, fmt.Errorf("%s: %w: %w", name, acquisition.ErrUnrecognised, err)
		}
		if errors.Is(err, acquisition.ErrNeedPassword) && strings.Contains(err.Error(), name) {
			return nil, err // the password source's message already names the file
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	f := &FS{name: name, src: src, keys: keys, Header: h, lim: lim,
		nodes: map[string]*node{".": {name: ".", dir: true, mode: fs.ModeDir | 0o555}}}
	if err := f.index(ctx, m.Reader(payload)); err != nil {
		f.finish()
		return f, fmt.Errorf("%s: %w", name, err)
	}
	f.finish()
	return f, nil
}

func (f *FS) index(ctx context.Context, payload io.Reader) error {
	tr := tar.NewReader(payload)
	var cached int64
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return wrapCorrupt(err)
		}
		if f.lim.MaxEntries > 0 && i >= f.lim.MaxEntries {
			return fmt.Errorf("%w: more than %d entries", acquisition.ErrUnsafeArchive, f.lim.MaxEntries)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(hdr.Name, "./"), "/")
		if name == "" || name == "." {
			continue
		}
		if !safearchive.SafeName(name) {
			return fmt.Errorf("%w: entry %q", acquisition.ErrUnsafeArchive, hdr.Name)
		}
		name = path.Clean(name)
		switch hdr.Typeflag {
		case tar.TypeDir:
			f.dir(name, hdr.ModTime)
		case tar.TypeReg, tar.TypeRegA:
			n := &node{name: name, size: hdr.Size, mode: fs.FileMode(hdr.Mode).Perm() &^ 0o222, mtime: hdr.ModTime, ordinal: i}
			if hdr.Size <= f.lim.CacheFile && cached+hdr.Size <= f.lim.CacheTotal {
				b, err := io.ReadAll(io.LimitReader(tr, hdr.Size))
				if err != nil {
					return wrapCorrupt(err)
				}
				if int64(len(b)) != hdr.Size {
					return fmt.Errorf("%w: entry %q cut short", acquisition.ErrCorrupt, name)
				}
				n.data, n.cached = b, true
				cached += hdr.Size
			}
			f.add(n)
		case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
			// listed, never read: the module that wants it reports it unreadable
			f.add(&node{name: name, mode: safearchive.TarSpecialMode(hdr.Typeflag), mtime: hdr.ModTime, ordinal: i})
		case tar.TypeSymlink, tar.TypeLink:
			target := hdr.Linkname
			if hdr.Typeflag == tar.TypeSymlink && !path.IsAbs(target) {
				target = path.Join(path.Dir(name), target)
			}
			if !safearchive.SafeName(target) {
				return fmt.Errorf("%w: link %q points outside the archive", acquisition.ErrUnsafeArchive, hdr.Name)
			}
		}
	}
}

func wrapCorrupt(err error) error {
	if errors.Is(err, acquisition.ErrUnsafeArchive) || errors.Is(err, acquisition.ErrCorrupt) || errors.Is(err, context.Canceled) {
		return err
	}
	return fmt.Errorf("%w: %w", acquisition.ErrCorrupt, err)
}

func (f *FS) dir(name string, mt time.Time) *node {
	if n := f.nodes[name]; n != nil {
		if n.dir && !mt.IsZero() {
			n.mtime = mt
		}
		return n
	}
	n := &node{name: name, dir: true, mode: fs.ModeDir | 0o555, mtime: mt}
	f.add(n)
	return n
}

func (f *FS) add(n *node) {
	if old := f.nodes[n.name]; old != nil && old.dir && n.dir {
		return
	}
	_, exists := f.nodes[n.name]
	f.nodes[n.name] = n
	if exists {
		return
	}
	parent := path.Dir(n.name)
	p := f.nodes[parent]
	if p == nil || !p.dir {
		p = f.dir(parent, time.Time{})
	}
	p.kids = append(p.kids, n.name)
}

func (f *FS) finish() {
	for _, n := range f.nodes {
		sort.Strings(n.kids)
	}
}

// Len is the number of files and directories.
func (f *FS) Len() int { return len(f.nodes) - 1 }

// Open implements fs.FS.
func (f *FS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	n := f.nodes[name]
	if n == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	switch {
	case n.dir:
		return &dirFile{fsys: f, n: n}, nil
	case safearchive.Special(n.mode):
		return nil, &fs.PathError{Op: "open", Path: name, Err: acquisition.ErrSpecialFile}
	case n.cached:
		return &memFile{n: n, r: bytes.NewReader(n.data)}, nil
	}
	return f.restream(n)
}

func (f *FS) restream(n *node) (fs.File, error) {
	rc, err := f.src()
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: n.name, Err: err}
	}
	payload, _, _, err := Payload(rc, nil, f.keys)
	if err != nil {
		rc.Close()
		return nil, &fs.PathError{Op: "open", Path: n.name, Err: err}
	}
	tr := tar.NewReader(payload)
	for i := 0; i <= n.ordinal; i++ {
		if _, err := tr.Next(); err != nil {
			rc.Close()
			return nil, &fs.PathError{Op: "open", Path: n.name, Err: wrapCorrupt(err)}
		}
	}
	return &streamFile{n: n, r: io.LimitReader(tr, n.size), c: rc}, nil
}

type info struct{ n *node }

func (i info) Name() string {
	if i.n.name == "." {
		return "."
	}
	return path.Base(i.n.name)
}
func (i info) Size() int64                { return i.n.size }
func (i info) Mode() fs.FileMode          { return i.n.mode }
func (i info) ModTime() time.Time         { return i.n.mtime }
func (i info) IsDir() bool                { return i.n.dir }
func (i info) Sys() any                   { return nil }
func (i info) Type() fs.FileMode          { return i.n.mode.Type() }
func (i info) Info() (fs.FileInfo, error) { return i, nil }

type memFile struct {
	n *node
	r *bytes.Reader
}

func (m *memFile) Stat() (fs.FileInfo, error) { return info{m.n}, nil }
func (m *memFile) Read(p []byte) (int, error) { return m.r.Read(p) }
func (m *memFile) Close() error               { return nil }

type streamFile struct {
	n *node
	r io.Reader
	c io.Closer
}

func (s *streamFile) Stat() (fs.FileInfo, error) { return info{s.n}, nil }
func (s *streamFile) Read(p []byte) (int, error) { return s.r.Read(p) }
func (s *streamFile) Close() error               { return s.c.Close() }

type dirFile struct {
	fsys *FS
	n    *node
	off  int
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return info{d.n}, nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.n.name, Err: errors.New("is a directory")}
}
func (d *dirFile) Close() error { return nil }

func (d *dirFile) ReadDir(count int) ([]fs.DirEntry, error) {
	rest := d.n.kids[d.off:]
	if count > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if count > 0 && count < len(rest) {
		rest = rest[:count]
	}
	out := make([]fs.DirEntry, len(rest))
	for i, k := range rest {
		out[i] = info{d.fsys.nodes[k]}
	}
	d.off += len(rest)
	return out, nil
}
