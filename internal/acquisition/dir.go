package acquisition

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
)

// ErrOutsideLink: a symbolic link of an evidence folder leads outside it;
// it is listed, never followed.
var ErrOutsideLink = model.NewError(model.KindRefused, "symbolic link leading outside the evidence: not followed")

// Dir is an evidence folder read in place through os.Root: a symbolic
// link leading outside the folder is refused (ErrOutsideLink), and a
// special file (FIFO, device, socket) is refused without being opened
// (ErrSpecialFile: opening a FIFO would block the scan). It implements
// fs.FS, fs.StatFS, fs.ReadDirFS, fs.ReadFileFS, Lstat, ReadLink,
// sqlitex.OSPather and SumFS. Every folder input is read through it.
type Dir struct {
	root *os.Root
	fsys fs.FS
	dir  string // as given
	real string // with symbolic links resolved
	sums *Sums
}

// OpenDir opens folder dir.
func OpenDir(dir string) (*Dir, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return &Dir{root: r, fsys: r.FS(), dir: dir, real: real, sums: NewSums()}, nil
}

// Path is the folder as given to OpenDir.
func (d *Dir) Path() string { return d.dir }

// Close releases the folder.
func (d *Dir) Close() error { return d.root.Close() }

// Open implements fs.FS: regular files and folders only, inside the folder.
func (d *Dir) Open(name string) (fs.File, error) {
	if _, err := d.Stat(name); err != nil {
		return nil, err
	}
	f, err := d.fsys.Open(name)
	return f, d.explain("open", name, err)
}

// Stat implements fs.StatFS (following links that stay inside).
func (d *Dir) Stat(name string) (fs.FileInfo, error) {
	st, err := fs.Stat(d.fsys, name)
	if err != nil {
		return nil, d.explain("stat", name, err)
	}
	if !st.Mode().IsRegular() && !st.IsDir() {
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrSpecialFile}
	}
	return st, nil
}

// ReadDir implements fs.ReadDirFS; entries are listed as they are (links
// and special files included).
func (d *Dir) ReadDir(name string) ([]fs.DirEntry, error) {
	ents, err := fs.ReadDir(d.fsys, name)
	return ents, d.explain("readdir", name, err)
}

// Names returns the sorted names of the entries of folder name, without
// describing them: ReadDir, through os.Root, looks up every entry (one
// system call each), which a caller that only needs the names can spare.
func (d *Dir) Names(name string) ([]string, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	f, err := d.root.Open(filepath.FromSlash(name))
	if err != nil {
		return nil, d.explain("readdir", name, err)
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return nil, d.explain("readdir", name, err)
	}
	slices.Sort(names)
	return names, nil
}

// ReadFile implements fs.ReadFileFS through Open.
func (d *Dir) ReadFile(name string) ([]byte, error) {
	f, err := d.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// Lstat describes name without following a final symbolic link.
func (d *Dir) Lstat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrInvalid}
	}
	st, err := d.root.Lstat(filepath.FromSlash(name))
	return st, d.explain("lstat", name, err)
}

// ReadLink returns the target of the symbolic link name, as stored.
func (d *Dir) ReadLink(name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return d.root.Readlink(filepath.FromSlash(name))
}

// OSPath returns name's path on disk when it is a regular file that
// resolves inside the folder (for SQLite, which opens paths itself).
func (d *Dir) OSPath(name string) (string, bool) {
	if !fs.ValidPath(name) {
		return "", false
	}
	if st, err := d.Stat(name); err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	p := filepath.Join(d.dir, filepath.FromSlash(name))
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", false
	}
	rel, err := filepath.Rel(d.real, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", false
	}
	return p, true
}

// explain turns os.Root's refusal of a path through a link leading outside
// the folder into ErrOutsideLink naming the link.
func (d *Dir) explain(op, name string, err error) error {
	if err == nil || errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) || errors.Is(err, ErrSpecialFile) {
		return err
	}
	for p := name; p != "." && p != "/" && p != ""; p = path.Dir(p) {
		st, lerr := d.root.Lstat(filepath.FromSlash(p))
		if lerr != nil || st.Mode()&fs.ModeSymlink == 0 {
			continue
		}
		if _, serr := d.root.Stat(filepath.FromSlash(p)); serr != nil && !errors.Is(serr, fs.ErrNotExist) {
			return &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("%w (%s)", ErrOutsideLink, p)}
		}
	}
	return err
}
