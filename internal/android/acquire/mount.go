package acquire

import (
	"errors"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// mountFS is a base fs.FS with other file systems mounted on top-level
// directory names (the nested bugreport.zip and backup.ab of an androidqf
// acquisition). A mount hides a base entry of the same name.
type mountFS struct {
	base   fs.FS
	mounts map[string]fs.FS
}

func (m *mountFS) route(name string) (fs.FS, string) {
	first, rest, _ := strings.Cut(name, "/")
	if sub, ok := m.mounts[first]; ok {
		if rest == "" {
			rest = "."
		}
		return sub, rest
	}
	return m.base, name
}

func (m *mountFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		f, err := m.base.Open(".")
		if err != nil {
			return nil, err
		}
		return &rootDir{File: f, m: m}, nil
	}
	sub, rest := m.route(name)
	f, err := sub.Open(rest)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, &fs.PathError{Op: pe.Op, Path: name, Err: pe.Err}
		}
		return nil, err
	}
	if rest == "." {
		return &renamed{File: f, name: name}, nil
	}
	return f, nil
}

func (m *mountFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name == "." {
		return m.rootEntries()
	}
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	sub, rest := m.route(name)
	return fs.ReadDir(sub, rest)
}

func (m *mountFS) rootEntries() ([]fs.DirEntry, error) {
	es, err := fs.ReadDir(m.base, ".")
	if err != nil {
		return nil, err
	}
	out := es[:0:0]
	for _, e := range es {
		if _, hidden := m.mounts[e.Name()]; !hidden {
			out = append(out, e)
		}
	}
	for n := range m.mounts {
		out = append(out, mountEntry(n))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out, nil
}

// rootDir lists the base root plus the mount points.
type rootDir struct {
	fs.File
	m    *mountFS
	list []fs.DirEntry
	off  int
	read bool
}

func (r *rootDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if !r.read {
		l, err := r.m.rootEntries()
		if err != nil {
			return nil, err
		}
		r.list, r.read = l, true
	}
	rest := r.list[r.off:]
	if n > 0 && len(rest) == 0 {
		return nil, io.EOF
	}
	if n > 0 && n < len(rest) {
		rest = rest[:n]
	}
	r.off += len(rest)
	return rest, nil
}

// renamed gives a mounted root the name of its mount point.
type renamed struct {
	fs.File
	name string
}

func (r *renamed) Stat() (fs.FileInfo, error) { return mountEntry(path.Base(r.name)), nil }

func (r *renamed) ReadDir(n int) ([]fs.DirEntry, error) {
	if d, ok := r.File.(fs.ReadDirFile); ok {
		return d.ReadDir(n)
	}
	return nil, &fs.PathError{Op: "readdir", Path: r.name, Err: fs.ErrInvalid}
}

type mountEntry string

func (e mountEntry) Name() string               { return string(e) }
func (e mountEntry) IsDir() bool                { return true }
func (e mountEntry) Type() fs.FileMode          { return fs.ModeDir }
func (e mountEntry) Info() (fs.FileInfo, error) { return e, nil }
func (e mountEntry) Size() int64                { return 0 }
func (e mountEntry) Mode() fs.FileMode          { return fs.ModeDir | 0o555 }
func (e mountEntry) ModTime() time.Time         { return time.Time{} }
func (e mountEntry) Sys() any                   { return nil }
