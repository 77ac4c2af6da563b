package netsum

import (
	"bufio"
	"fmt"
	"io"
	"io/fs"
	"sort"

	"github.com/spyscan/spyscan/internal/safearchive"
)

// HeadSize is how much of a file is peeked at to recognise its format.
const HeadSize = 64 << 10

// LogFile is an opened, possibly gzip-compressed, log.
type LogFile struct {
	*bufio.Reader
	closers []io.Closer
}

// Close closes the file.
func (l *LogFile) Close() error {
	var first error
	for i := len(l.closers) - 1; i >= 0; i-- {
		if err := l.closers[i].Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Head returns up to HeadSize decompressed bytes without consuming them.
func (l *LogFile) Head() []byte {
	b, _ := l.Peek(HeadSize)
	return b
}

// OpenLog opens name in fsys, transparently inflating gzip.
func OpenLog(fsys fs.FS, name string) (*LogFile, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	lf := &LogFile{closers: []io.Closer{f}}
	br := bufio.NewReaderSize(f, HeadSize)
	if m, _ := br.Peek(2); len(m) == 2 && m[0] == 0x1f && m[1] == 0x8b {
		zr, err := safearchive.Gunzip(br, name)
		if err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: gzip: %w", name, err)
		}
		lf.closers = append(lf.closers, zr)
		br = bufio.NewReaderSize(zr, HeadSize)
	}
	lf.Reader = br
	return lf, nil
}

// RegularFiles lists the regular files of fsys, sorted, skipping hidden
// ones. A symbolic link is listed unless fsys resolves it to a folder: a
// link to a file is read through fsys, and one fsys refuses to resolve (an
// input folder opened with os.Root refuses links leading outside it) is
// listed so that its failure to open is reported, not passed over.
func RegularFiles(fsys fs.FS) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Name() != "." && len(d.Name()) > 0 && d.Name()[0] == '.' {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case d.Type().IsRegular():
			out = append(out, p)
		case d.Type()&fs.ModeSymlink != 0:
			if st, err := fs.Stat(fsys, p); err != nil || !st.IsDir() {
				out = append(out, p)
			}
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}
