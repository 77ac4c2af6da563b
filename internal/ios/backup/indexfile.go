package backup

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
)

// memIndexFile is the size up to which an index file stays in memory: the
// index of a backup of a few thousand files (MVT's sample: 3,721 records,
// about 1 MB in all) then makes no folder and no file, and is read
// without system calls; a larger one goes to its file when it passes this.
var memIndexFile = 2 << 20

// indexDir is the private folder of an index's files, made when the first
// of them outgrows memory.
type indexDir struct {
	parent string // the folder it is made in ("" for the system's)
	path   string // "" until made
}

// make returns the folder's path, making it on first use.
func (d *indexDir) make() (string, error) {
	if d.path == "" {
		p, err := os.MkdirTemp(d.parent, "manifest-index-*")
		if err != nil {
			return "", fmt.Errorf("Manifest index: %w", err)
		}
		d.path = p
	}
	return d.path, nil
}

// remove removes the folder, if it was made.
func (d *indexDir) remove() error {
	if d.path == "" {
		return nil
	}
	err := os.RemoveAll(d.path)
	d.path = ""
	return err
}

// indexFile is one file of the index, written once then read: its bytes
// in memory until they pass memIndexFile, then a file in the index's
// folder.
type indexFile struct {
	name string // base name in the folder
	dir  *indexDir
	mem  []byte
	f    *os.File // nil while in memory
}

// Name is the file's path, or its name while it is in memory (for errors).
func (f *indexFile) Name() string {
	if f.f != nil {
		return f.f.Name()
	}
	return f.name
}

// Write appends p, moving the file to disk when it outgrows memory.
func (f *indexFile) Write(p []byte) (int, error) {
	if f.f == nil && len(f.mem)+len(p) > memIndexFile {
		if err := f.toDisk(); err != nil {
			return 0, err
		}
	}
	if f.f != nil {
		return f.f.Write(p)
	}
	if len(f.mem)+len(p) > cap(f.mem) {
		// Double (append grows a large slice by a quarter, copying it
		// again each time).
		f.mem = slices.Grow(f.mem, max(len(p), len(f.mem), 64<<10))
	}
	f.mem = append(f.mem, p...)
	return len(p), nil
}

// reserve makes room in memory for n bytes in all, when they fit there:
// the writer knows the size of the records file, and about that of the
// others, before writing them (doubling from 64 KiB, MVT's sample's index
// allocated 2.7 MB for its 1 MB).
func (f *indexFile) reserve(n int) {
	if f.f == nil && n <= memIndexFile && n > cap(f.mem) {
		f.mem = slices.Grow(f.mem, n-len(f.mem))
	}
}

// toDisk creates the file and writes what memory held.
func (f *indexFile) toDisk() error {
	dir, err := f.dir.make()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(filepath.Join(dir, f.name), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("Manifest index: %w", err)
	}
	if _, err := out.Write(f.mem); err != nil {
		return errors.Join(fmt.Errorf("Manifest index: %w", err), out.Close())
	}
	f.f, f.mem = out, nil
	return nil
}

// ReadAt implements io.ReaderAt.
func (f *indexFile) ReadAt(p []byte, off int64) (int, error) {
	if f.f != nil {
		return f.f.ReadAt(p, off)
	}
	if off >= int64(len(f.mem)) {
		return 0, io.EOF
	}
	n := copy(p, f.mem[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// inMemory reports whether the file's bytes are in memory.
func (f *indexFile) inMemory() bool { return f.f == nil }

// close closes the file (its folder is removed with the index's).
func (f *indexFile) close() error {
	f.mem = nil
	if f.f == nil {
		return nil
	}
	err := f.f.Close()
	f.f = nil
	return err
}
