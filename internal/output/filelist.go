package output

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/spill"
)

// FileList is an input's list of hashed files, kept in one file of the
// spool as it is produced (an iOS backup lists 100,000s of files: about
// 120 bytes of heap each when held). It implements model.FileList; Add and
// Each may be called from different goroutines, but not at once.
type FileList struct {
	mu  sync.Mutex
	f   *os.File
	w   *bufio.Writer
	n   int
	enc []byte
	err error
}

// NewFileList creates an empty list in the spool's folder.
func (s *Spool) NewFileList() (*FileList, error) {
	f, err := os.CreateTemp(s.dir, "files-*")
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	s.mu.Lock()
	s.lists = append(s.lists, f)
	s.mu.Unlock()
	return &FileList{f: f, w: bufio.NewWriterSize(f, 64<<10)}, nil
}

// Add appends a file.
func (l *FileList) Add(f *model.InputFile) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.err != nil {
		return l.err
	}
	b := spill.AppendString(l.enc[:0], f.Path)
	b = spill.AppendInt(b, f.Size)
	b = spill.AppendString(b, f.SHA256)
	b = spill.AppendString(b, f.Type)
	b = spill.AppendString(b, f.Target)
	b = appendTime(b, f.ModTime)
	l.enc = b
	var hdr [binary.MaxVarintLen64]byte
	l.w.Write(hdr[:binary.PutUvarint(hdr[:], uint64(len(b)))])
	if _, err := l.w.Write(b); err != nil {
		l.err = fmt.Errorf("spool: %s: %w", l.f.Name(), err)
	}
	l.n++
	return l.err
}

// Len is the number of files added.
func (l *FileList) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// Each calls fn with every file, in the order they were added.
func (l *FileList) Each(fn func(*model.InputFile) error) error {
	l.mu.Lock()
	if l.err == nil {
		if err := l.w.Flush(); err != nil {
			l.err = fmt.Errorf("spool: %s: %w", l.f.Name(), err)
		}
	}
	err, n := l.err, l.n
	l.mu.Unlock()
	if err != nil {
		return err
	}
	r := bufio.NewReaderSize(io.NewSectionReader(l.f, 0, 1<<62), 64<<10)
	var buf []byte
	var f model.InputFile
	for range n {
		k, err := binary.ReadUvarint(r)
		if err != nil || k > 1<<20 {
			return fmt.Errorf("%w: %s: bad length", spill.ErrCorrupt, l.f.Name())
		}
		if cap(buf) < int(k) {
			buf = make([]byte, k)
		}
		buf = buf[:k]
		if _, err := io.ReadFull(r, buf); err != nil {
			return fmt.Errorf("%w: %s: %v", spill.ErrCorrupt, l.f.Name(), err)
		}
		d := spill.NewDecoder(buf)
		f = model.InputFile{Path: d.String(), Size: d.Int(), SHA256: d.String(), Type: d.String(), Target: d.String(), ModTime: readTime(d)}
		if err := d.Err(); err != nil {
			return fmt.Errorf("%w: %s: %w", spill.ErrCorrupt, l.f.Name(), err)
		}
		if err := fn(&f); err != nil {
			return err
		}
	}
	return nil
}

// closeLists closes the spool's file lists (their files go with its folder).
func (s *Spool) closeLists() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, f := range s.lists {
		if err := f.Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			errs = append(errs, err)
		}
	}
	s.lists = nil
	return errors.Join(errs...)
}
