package acquisition

import (
	"io"
	"io/fs"
	"os"
	"time"
)

// FileFS is a read-only fs.FS holding one file of the host (Path) under
// Name, for the inputs that are one file: a log, a plain dumpstate.
type FileFS struct{ Name, Path string }

// Open implements fs.FS.
func (f FileFS) Open(name string) (fs.File, error) {
	switch {
	case name == f.Name:
		h, err := os.Open(f.Path)
		if err != nil {
			return nil, err
		}
		return renamedFile{h, f.Name}, nil
	case name == ".":
		return &rootDir{fs: f}, nil
	case !fs.ValidPath(name):
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// ReadDir implements fs.ReadDirFS.
func (f FileFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrNotExist}
	}
	fi, err := os.Stat(f.Path)
	if err != nil {
		return nil, err
	}
	return []fs.DirEntry{fs.FileInfoToDirEntry(renamed{fi, f.Name})}, nil
}

// Stat implements fs.StatFS.
func (f FileFS) Stat(name string) (fs.FileInfo, error) {
	switch name {
	case f.Name:
		fi, err := os.Stat(f.Path)
		if err != nil {
			return nil, err
		}
		return renamed{fi, f.Name}, nil
	case ".":
		return dirInfo{}, nil
	}
	return nil, &fs.PathError{Op: "stat", Path: name, Err: fs.ErrNotExist}
}

type renamed struct {
	fs.FileInfo
	name string
}

func (r renamed) Name() string { return r.name }

// renamedFile is the host file, whose Stat gives the name it has in the
// FS (its ReadAt and Seek are the host file's).
type renamedFile struct {
	*os.File
	name string
}

func (r renamedFile) Stat() (fs.FileInfo, error) {
	fi, err := r.File.Stat()
	if err != nil {
		return nil, err
	}
	return renamed{fi, r.name}, nil
}

type rootDir struct {
	fs   FileFS
	done bool
}

func (d *rootDir) Stat() (fs.FileInfo, error) { return dirInfo{}, nil }
func (d *rootDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: fs.ErrInvalid}
}
func (d *rootDir) Close() error { return nil }
func (d *rootDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.done {
		if n > 0 {
			return nil, io.EOF
		}
		return nil, nil
	}
	d.done = true
	return d.fs.ReadDir(".")
}

type dirInfo struct{}

func (dirInfo) Name() string       { return "." }
func (dirInfo) Size() int64        { return 0 }
func (dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (dirInfo) ModTime() time.Time { return time.Time{} }
func (dirInfo) IsDir() bool        { return true }
func (dirInfo) Sys() any           { return nil }

// StreamFS is a FileFS whose one file the modules read from its start (a
// capture). It implements DigestFS: with a Digest, reading the file also
// hashes it for the chain of custody, so that the file is read once.
type StreamFS struct {
	FileFS
	Digest *Digest
}

// WithDigest implements DigestFS.
func (s StreamFS) WithDigest(d *Digest) fs.FS {
	s.Digest = d
	return s
}

// Open implements fs.FS: the file's reads feed the digest, if there is one.
func (s StreamFS) Open(name string) (fs.File, error) {
	f, err := s.FileFS.Open(name)
	if err != nil || s.Digest == nil || name != s.Name {
		return f, err
	}
	return s.Digest.File(f), nil
}
