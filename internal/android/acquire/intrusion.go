package acquire

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/intrusionlog"
	"github.com/spyscan/spyscan/internal/safearchive"
)

// IntrusionLogs opens Android Intrusion Logs given on their own: a folder
// (read recursively), a .zip (nested zips are walked by the module), or one
// .txt file. The FS is the folder, the zip, or a folder holding the one
// file. A getprop.txt at the root gives the device time zone.
type IntrusionLogs struct {
	Limits *safearchive.Limits
}

// Name implements acquisition.Opener.
func (*IntrusionLogs) Name() string { return "android-intrusion-logs" }

// Detection budget: entries looked at, files sniffed, folder depth.
const (
	ilMaxEntries = 2000
	ilMaxSniffs  = 20
	ilMaxDepth   = 4
	ilHead       = 64 << 10
)

func isLogName(n string) bool {
	n = strings.ToLower(n)
	return strings.HasSuffix(n, ".txt") || strings.HasSuffix(n, ".jsonl") || strings.HasSuffix(n, ".ndjson")
}

// Detect implements acquisition.Opener.
func (o *IntrusionLogs) Detect(ctx context.Context, p string) (acquisition.Kind, bool) {
	st, err := os.Stat(p)
	if err != nil {
		return "", false
	}
	k := acquisition.AndroidIntrusionLogs
	switch {
	case st.IsDir():
		r, err := os.OpenRoot(p)
		if err != nil {
			return "", false
		}
		defer r.Close()
		return k, o.sniffFS(ctx, r.FS(), true)
	case isZip(p):
		z, err := safearchive.Open(p, limits(o.Limits))
		if err != nil {
			return "", false
		}
		defer z.Close()
		return k, o.sniffFS(ctx, z, false)
	case isLogName(p):
		dir, base := filepath.Split(p)
		return k, sniffFile(os.DirFS(filepath.Clean(dir+".")), base)
	}
	return "", false
}

// sniffFS looks, within the budget, for a log file that starts like an
// intrusion log; with zips true it also looks inside the zips it meets.
func (o *IntrusionLogs) sniffFS(ctx context.Context, fsys fs.FS, zips bool) bool {
	entries, sniffs, found := 0, 0, false
	_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		entries++
		if err != nil || ctx.Err() != nil || entries > ilMaxEntries || sniffs >= ilMaxSniffs {
			return fs.SkipAll
		}
		if d.IsDir() {
			if p != "." && strings.Count(p, "/") >= ilMaxDepth {
				return fs.SkipDir
			}
			if p != "." && isQFDir(fsys, p) {
				return fs.SkipDir // its logs are part of that androidqf, read with it
			}
			return nil
		}
		switch {
		case isLogName(d.Name()):
			sniffs++
			found = sniffFile(fsys, p)
		case zips && strings.HasSuffix(strings.ToLower(d.Name()), ".zip"):
			sniffs++
			found = o.sniffNestedZip(ctx, fsys, p)
		}
		if found {
			return fs.SkipAll
		}
		return nil
	})
	return found
}

// sniffNestedZip opens a zip inside a folder input (a real file) and
// sniffs its entries.
func (o *IntrusionLogs) sniffNestedZip(ctx context.Context, fsys fs.FS, p string) bool {
	f, err := fsys.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	ra, ok := f.(io.ReaderAt)
	st, err := f.Stat()
	if !ok || err != nil {
		return false
	}
	z, err := safearchive.New(ra, st.Size(), p, limits(o.Limits))
	if err != nil {
		return false
	}
	return o.sniffFS(ctx, z, false)
}

func sniffFile(fsys fs.FS, name string) bool {
	f, err := fsys.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	head, _ := io.ReadAll(io.LimitReader(f, ilHead))
	return intrusionlog.Sniff(head)
}

// Open implements acquisition.Opener.
func (o *IntrusionLogs) Open(ctx context.Context, p string, kind acquisition.Kind, opts acquisition.Options) (*acquisition.Acquisition, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	acq := &acquisition.Acquisition{Path: p, Kind: acquisition.AndroidIntrusionLogs, Meta: map[string]string{}}
	switch {
	case st.IsDir():
		r, err := os.OpenRoot(p) // symbolic links cannot lead outside the input
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		acq.FS, acq.Close = r.FS(), r.Close
		acq.Meta["container"] = "folder"
	case isZip(p):
		z, err := safearchive.Open(p, limits(o.Limits))
		if err != nil {
			return nil, err
		}
		acq.FS, acq.Close = z, z.Close
		acq.Meta["container"] = "zip"
	default:
		dir, base := filepath.Split(p)
		r, err := os.OpenRoot(filepath.Clean(dir + "."))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		acq.FS, acq.Close = oneFile{fsys: r.FS(), name: base}, r.Close
		acq.Meta["container"] = "file"
	}
	readProps(acq, "getprop.txt", 4<<20)
	return acq, nil
}

// oneFile is an fs.FS holding only one file of fsys's root.
type oneFile struct {
	fsys fs.FS
	name string
}

func (o oneFile) Open(name string) (fs.File, error) {
	switch name {
	case o.name:
		return o.fsys.Open(name)
	case ".":
		return &oneDir{o: o}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

type oneDir struct {
	o    oneFile
	done bool
}

func (d *oneDir) Stat() (fs.FileInfo, error) { return mountEntry("."), nil }
func (d *oneDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: fs.ErrInvalid}
}
func (d *oneDir) Close() error { return nil }
func (d *oneDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.done {
		if n > 0 {
			return nil, io.EOF
		}
		return nil, nil
	}
	d.done = true
	st, err := fs.Stat(d.o.fsys, d.o.name)
	if err != nil {
		return nil, err
	}
	return []fs.DirEntry{fs.FileInfoToDirEntry(st)}, nil
}

// isQFDir reports whether the folder dir of fsys is an androidqf
// acquisition, whose intrusion logs belong to it.
func isQFDir(fsys fs.FS, dir string) bool {
	sub, err := fs.Sub(fsys, dir)
	return err == nil && IsQF(sub)
}
