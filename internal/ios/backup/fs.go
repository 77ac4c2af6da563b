package backup

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"
)

// Open implements fs.FS.
func (b *Backup) Open(name string) (_ fs.File, err error) {
	defer recoverIndex(&err)
	n, err := b.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if n.kind == nodeDir {
		return &dirFile{b: b, path: name, n: n}, nil
	}
	info := b.info(name, n)
	if n.kind == nodeRootFile {
		if name == ManifestDB && b.Encrypted {
			return &memFile{Reader: bytes.NewReader(b.manifestDB), info: info}, nil
		}
		f, err := b.root.Open(name)
		if err != nil {
			return nil, err
		}
		return &osFile{File: f, info: info}, nil
	}
	rec := b.idx.rec(int(n.rec))
	if rec.flags != flagFile {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("not a regular file (flags %d)", rec.flags)}
	}
	id := b.idx.str(rec.id)
	if !validID(id) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("invalid file id %q", id)}
	}
	f, err := b.root.Open(storedPath(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrAbsent}
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: unwrapPath(err)}
	}
	if !b.Encrypted {
		return &osFile{File: f, info: info}, nil
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	key, err := b.kb.UnwrapKey(b.idx.bytesOf(rec.key, nil))
	if err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: fmt.Errorf("file key: %w", err)}
	}
	r, err := newCBCReader(f, key, st.Size(), rec.mb.size)
	if err != nil {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &decFile{r: r, f: f, info: info, name: name}, nil
}

// Stat implements fs.StatFS.
func (b *Backup) Stat(name string) (_ fs.FileInfo, err error) {
	defer recoverIndex(&err)
	n, err := b.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	return b.info(name, n), nil
}

// ReadDir implements fs.ReadDirFS.
func (b *Backup) ReadDir(name string) (_ []fs.DirEntry, err error) {
	defer recoverIndex(&err)
	n, err := b.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if n.kind != nodeDir {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fmt.Errorf("not a directory")}
	}
	return b.entries(name), nil
}

func (b *Backup) lookup(op, name string) (packedNode, error) {
	if !fs.ValidPath(name) {
		return packedNode{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	n, ok := b.node(name)
	if !ok {
		return packedNode{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	}
	return n, nil
}

func (b *Backup) entries(name string) []fs.DirEntry {
	var ents []dirEntry
	if name == "." {
		ents = b.rootEntries()
	} else {
		ents = b.dirEntries(b.idx.children(name))
	}
	// Handed out by pointer: a dirEntry value in an fs.DirEntry was one
	// allocation per entry. The caller owns the slice, not the entries
	// (an fs.DirEntry cannot change them).
	out := make([]fs.DirEntry, len(ents))
	for i := range ents {
		out[i] = &ents[i]
	}
	return out
}

// dirEntries makes the entries of kids, in one slice.
func (b *Backup) dirEntries(kids []child) []dirEntry {
	ents := make([]dirEntry, len(kids))
	for i, c := range kids {
		ents[i] = dirEntry{b: b, path: c.path, n: c.n}
	}
	return ents
}

// rootEntries lists "." once (a backup of hundreds of domains has as
// many folders at its root, each one a subtree to skip; every
// "AppDomain-*" pattern of the modules lists it again).
func (b *Backup) rootEntries() []dirEntry {
	b.rootMu.Lock()
	defer b.rootMu.Unlock()
	if b.rootEnts == nil {
		b.rootEnts = b.dirEntries(b.idx.children("."))
	}
	return b.rootEnts
}

// dirEntry describes a child without decoding its Manifest record until
// Info is asked, so that walking a large backup stays cheap.
type dirEntry struct {
	b    *Backup
	path string
	n    packedNode
}

func (d dirEntry) Name() string { return baseName(d.path) }
func (d dirEntry) IsDir() bool  { return d.n.kind == nodeDir }
func (d dirEntry) Type() fs.FileMode {
	switch {
	case d.n.kind == nodeDir:
		return fs.ModeDir
	case d.n.link:
		return fs.ModeSymlink
	}
	return 0
}
func (d dirEntry) Info() (_ fs.FileInfo, err error) {
	defer recoverIndex(&err)
	return d.b.info(d.path, d.n), nil
}
func (d dirEntry) String() string { return fs.FormatDirEntry(d) }

// info describes a node: sizes and times come from the Manifest record.
func (b *Backup) info(name string, n packedNode) fileInfo {
	dir := n.kind == nodeDir
	fi := fileInfo{name: baseName(name), dir: dir, mode: 0o444, rec: -1}
	if name == "." {
		fi.name = "."
	}
	if dir {
		fi.mode = fs.ModeDir | 0o555
	}
	switch {
	case n.kind == nodeRootFile && name == ManifestDB && b.Encrypted:
		fi.size = int64(len(b.manifestDB))
		if st, err := b.root.Stat(name); err == nil {
			fi.mtime = st.ModTime()
		}
	case n.kind == nodeRootFile:
		if st, err := b.root.Stat(name); err == nil {
			fi.size, fi.mtime = st.Size(), st.ModTime()
		}
	case n.rec >= 0:
		r := b.idx.rec(int(n.rec))
		fi.size, fi.mtime, fi.b, fi.rec = r.mb.size, unixTime(r.mb.modified), b, n.rec
		if r.mode != 0 {
			fi.mode = fs.FileMode(r.mode & 0o777)
			if dir {
				fi.mode |= fs.ModeDir
			}
		}
		if r.flags == flagSymlink {
			fi.mode |= fs.ModeSymlink
		}
	}
	if dir {
		fi.size = 0
	}
	return fi
}

type fileInfo struct {
	name  string
	size  int64
	mode  fs.FileMode
	mtime time.Time
	dir   bool
	b     *Backup
	rec   int32 // index of the Manifest record, -1 for none
}

func (f fileInfo) Name() string       { return f.name }
func (f fileInfo) Size() int64        { return f.size }
func (f fileInfo) Mode() fs.FileMode  { return f.mode }
func (f fileInfo) ModTime() time.Time { return f.mtime }
func (f fileInfo) IsDir() bool        { return f.dir }

// Sys returns the Manifest *Record (nil for root files and synthetic folders).
func (f fileInfo) Sys() any {
	if f.rec < 0 {
		return nil
	}
	r := f.b.idx.record(int(f.rec))
	return &r
}

type osFile struct {
	fs.File
	info fileInfo
}

func (f *osFile) Stat() (fs.FileInfo, error) { return f.info, nil }

type memFile struct {
	*bytes.Reader
	info fileInfo
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }

type decFile struct {
	r    *cbcReader
	f    fs.File
	info fileInfo
	name string
}

func (f *decFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *decFile) Close() error               { return f.f.Close() }
func (f *decFile) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err != nil && err != io.EOF {
		err = &fs.PathError{Op: "read", Path: f.name, Err: err}
	}
	return n, err
}

type dirFile struct {
	b    *Backup
	path string
	n    packedNode
	ents []fs.DirEntry
	read bool
}

func (d *dirFile) Stat() (fs.FileInfo, error) { return d.b.info(d.path, d.n), nil }
func (d *dirFile) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.path, Err: fmt.Errorf("is a directory")}
}
func (d *dirFile) Close() error { return nil }

func (d *dirFile) ReadDir(count int) ([]fs.DirEntry, error) {
	if !d.read {
		d.ents, d.read = d.b.entries(d.path), true
	}
	if count <= 0 {
		out := d.ents
		d.ents = nil
		return out, nil
	}
	if len(d.ents) == 0 {
		return nil, io.EOF
	}
	if count > len(d.ents) {
		count = len(d.ents)
	}
	out := d.ents[:count]
	d.ents = d.ents[count:]
	return out, nil
}

// unwrapPath returns the cause of a *fs.PathError about a stored file, so
// that the error names the backup path rather than the file id.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
