package pcapfile

import (
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// Opener recognises pcap and pcapng files (optionally gzip-compressed) by
// their magic number.
type Opener struct{}

// Name implements acquisition.Opener.
func (Opener) Name() string { return "pcap" }

// Detect implements acquisition.Opener: it reads the first bytes only.
func (Opener) Detect(ctx context.Context, path string) (acquisition.Kind, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	head := make([]byte, 16)
	n, _ := io.ReadFull(f, head)
	head = head[:n]
	if n >= 2 && head[0] == 0x1f && head[1] == 0x8b {
		if _, err := f.Seek(0, io.SeekStart); err != nil {
			return "", false
		}
		gz, err := gzip.NewReader(f)
		if err != nil {
			return "", false
		}
		defer gz.Close()
		head = head[:cap(head)]
		n, _ = io.ReadFull(gz, head)
		head = head[:n]
	}
	if IsCapture(head) {
		return acquisition.PCAP, true
	}
	return "", false
}

// Open implements acquisition.Opener. The acquisition's FS holds the capture
// under its base name and nothing else.
func (Opener) Open(ctx context.Context, path string, kind acquisition.Kind, opts acquisition.Options) (*acquisition.Acquisition, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w", path, acquisition.ErrUnrecognised)
	}
	return &acquisition.Acquisition{Path: path, Kind: acquisition.PCAP,
		FS: SingleFileFS{Path: path}, Meta: map[string]string{"file": filepath.Base(path)}}, nil
}

// SingleFileFS is a read-only fs.FS holding one file under its base name.
// With a Digest (WithDigest), reading the file also hashes it for the
// chain of custody, so that the capture is read once.
type SingleFileFS struct {
	Path   string
	Digest *acquisition.Digest
}

// WithDigest implements acquisition.DigestFS.
func (s SingleFileFS) WithDigest(d *acquisition.Digest) fs.FS {
	s.Digest = d
	return s
}

// Open implements fs.FS.
func (s SingleFileFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return &rootDir{s: s}, nil
	}
	if name != filepath.Base(s.Path) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	f, err := os.Open(s.Path)
	switch {
	case err != nil:
		return nil, err
	case s.Digest == nil:
		return f, nil
	}
	return s.Digest.File(f), nil
}

type rootDir struct {
	s    SingleFileFS
	done bool
}

func (d *rootDir) Stat() (fs.FileInfo, error) { return dirInfo{}, nil }
func (d *rootDir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: ".", Err: errors.New("is a directory")}
}
func (d *rootDir) Close() error { return nil }

// ReadDir lists the single file.
func (d *rootDir) ReadDir(n int) ([]fs.DirEntry, error) {
	if d.done {
		if n > 0 {
			return nil, io.EOF
		}
		return nil, nil
	}
	d.done = true
	st, err := os.Stat(d.s.Path)
	if err != nil {
		return nil, err
	}
	return []fs.DirEntry{fs.FileInfoToDirEntry(st)}, nil
}

type dirInfo struct{}

func (dirInfo) Name() string       { return "." }
func (dirInfo) Size() int64        { return 0 }
func (dirInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (dirInfo) ModTime() time.Time { return time.Time{} }
func (dirInfo) IsDir() bool        { return true }
func (dirInfo) Sys() any           { return nil }
