package fsdump

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/safearchive"
)

// Dump is an opened filesystem dump.
type Dump struct {
	FS     fs.FS  // rooted at the device root: "private/var/..."
	Prefix string // folder of the input that holds the device root ("" or "."), for messages
	closer io.Closer
	arch   *Archive
}

// ReadLink returns the target of the symlink name (device path).
func (d *Dump) ReadLink(name string) (string, error) {
	if d.arch != nil {
		return d.arch.ReadLink(path.Join(d.Prefix, name))
	}
	if dir, ok := d.FS.(*acquisition.Dir); ok {
		return dir.ReadLink(name)
	}
	return "", fs.ErrInvalid
}

// Close releases the dump (and removes any inflated copy).
func (d *Dump) Close() error {
	if d.closer == nil {
		return nil
	}
	return d.closer.Close()
}

// Open opens a dump folder or archive. tempDir is private scratch space.
func Open(ctx context.Context, p, tempDir string) (*Dump, error) {
	var fsys fs.FS
	var closer io.Closer
	if st, err := os.Stat(p); err != nil {
		return nil, err
	} else if st.IsDir() {
		d, err := acquisition.OpenDir(p)
		if err != nil {
			return nil, err
		}
		fsys, closer = d, d
	} else {
		a, err := OpenArchive(ctx, p, tempDir)
		if err != nil {
			return nil, err
		}
		fsys, closer = a, a
	}
	prefix, ok := deviceRoot(fsys)
	if !ok {
		closer.Close()
		return nil, fmt.Errorf("%s: %w: no private/var or var/mobile folder found", p, acquisition.ErrUnrecognised)
	}
	if prefix != "." {
		sub, err := fs.Sub(fsys, prefix)
		if err != nil {
			closer.Close()
			return nil, err
		}
		if d, ok := fsys.(*acquisition.Dir); ok {
			// keep OSPath working below the prefix
			nd, err := acquisition.OpenDir(filepath.Join(d.Path(), filepath.FromSlash(prefix)))
			if err != nil {
				closer.Close()
				return nil, err
			}
			closer.Close()
			return &Dump{FS: nd, Prefix: prefix, closer: nd}, nil
		}
		if a, ok := fsys.(*Archive); ok {
			a.SetDeviceRoot(prefix)
		}
		fsys = sub
	}
	a, _ := closer.(*Archive)
	return &Dump{FS: fsys, Prefix: prefix, closer: closer, arch: a}, nil
}

// deviceRoot finds the folder holding private/var: the root or one level
// down (archives often wrap the dump in one folder).
func deviceRoot(fsys fs.FS) (string, bool) {
	if isDeviceRoot(fsys, ".") {
		return ".", true
	}
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "", false
	}
	for _, e := range ents {
		if e.IsDir() && isDeviceRoot(fsys, e.Name()) {
			return e.Name(), true
		}
	}
	return "", false
}

// isDeviceRoot: dumps hold private/var (or var/mobile when taken from the
// /var side of the symlink).
func isDeviceRoot(fsys fs.FS, dir string) bool {
	for _, p := range []string{"private/var", "var/mobile"} {
		if st, err := fs.Stat(fsys, path.Join(dir, p)); err == nil && st.IsDir() {
			return true
		}
	}
	return false
}

// Names lists up to max entry names of an archive (or folder, one level
// deep), cheaply, for detection. Errors give nil.
func Names(ctx context.Context, p string, max int) []string {
	st, err := os.Stat(p)
	if err != nil {
		return nil
	}
	if st.IsDir() {
		return dirNames(p, max)
	}
	var names []string
	switch Sniff(p) {
	case Zip:
		zr, err := zip.OpenReader(p)
		if err != nil {
			return nil
		}
		defer zr.Close()
		for i, f := range zr.File {
			if i >= max {
				break
			}
			names = append(names, f.Name)
		}
	case Tar, TarGz:
		f, err := os.Open(p)
		if err != nil {
			return nil
		}
		defer f.Close()
		var r io.Reader = f
		if Sniff(p) == TarGz {
			zr, err := gzip.NewReader(f)
			if err != nil {
				return nil
			}
			r = io.LimitReader(safearchive.Reader(ctx, zr), 256<<20)
		} else {
			r = &countingSeeker{f: f}
		}
		tr := tar.NewReader(r)
		for len(names) < max && ctx.Err() == nil {
			h, err := tr.Next()
			if err != nil {
				break
			}
			names = append(names, h.Name)
		}
	}
	return names
}

func dirNames(p string, max int) []string {
	var names []string
	ents, err := os.ReadDir(p)
	if err != nil {
		return nil
	}
	for _, e := range ents {
		if len(names) >= max {
			break
		}
		names = append(names, e.Name()+"/")
		if e.IsDir() {
			sub, _ := os.ReadDir(filepath.Join(p, e.Name()))
			for _, s := range sub {
				if len(names) >= max {
					break
				}
				names = append(names, e.Name()+"/"+s.Name())
			}
		}
	}
	return names
}

// Detect reports whether p looks like a filesystem dump (folder or archive).
func Detect(ctx context.Context, p string) bool {
	st, err := os.Stat(p)
	if err != nil {
		return false
	}
	if st.IsDir() {
		d, err := acquisition.OpenDir(p)
		if err != nil {
			return false
		}
		defer d.Close()
		_, ok := deviceRoot(d)
		return ok
	}
	return LooksLikeDump(Names(ctx, p, 5000))
}

// LooksLikeDump reports whether names (from Names) contain a device root.
func LooksLikeDump(names []string) bool {
	for _, n := range names {
		n = strings.TrimPrefix(strings.ReplaceAll(n, "\\", "/"), "./")
		parts := strings.Split(n, "/")
		for i := 0; i < len(parts)-1 && i < 2; i++ {
			if parts[i] == "private" && parts[i+1] == "var" || parts[i] == "var" && parts[i+1] == "mobile" {
				return true
			}
		}
	}
	return false
}
