package scan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/output"
	"github.com/spyscan/spyscan/internal/safearchive"
)

// hashInputs records the size and SHA-256 of every regular file of every
// opened input, for the chain of custody. Files are opened read-only. A
// file that cannot be read is listed as unreadable and becomes a problem of
// its input (so the verdict cannot be clean); the other files and inputs
// are still hashed. Only a cancelled scan stops it. An input hashed in the
// modules' read (in.digest) is left to finishDigests. An input of more
// than keepFiles files has its list streamed to the spool (Input.Spooled)
// rather than held.
func hashInputs(ctx context.Context, ins []*opened, p Progress, spool *output.Spool) error {
	for _, in := range ins {
		if in.digest != nil {
			continue
		}
		if in.acq == nil && in.input.Error != "" {
			if _, err := os.Lstat(in.path); err != nil {
				continue // not there: opening it already failed, and says so
			}
		}
		l := &fileSink{spool: spool}
		problems, err := hashPathSums(ctx, in.path, sharedSums(in), func(f *model.InputFile) error {
			p.Files(1)
			p.Bytes(f.Size)
			return l.add(f)
		})
		if err != nil {
			return err
		}
		in.input.Files = l.files
		if l.spooled != nil {
			in.input.Spooled = l.spooled
		}
		in.input.Problems = append(in.input.Problems, problems...)
	}
	return nil
}

// sharedSums returns the sums the input's modules share (an evidence
// folder read in place: acquisition.SumFS), or nil.
func sharedSums(in *opened) *acquisition.Sums {
	if in.acq == nil {
		return nil
	}
	d, ok := in.acq.FS.(*acquisition.Dir)
	if !ok || filepath.Clean(d.Path()) != filepath.Clean(in.path) {
		return nil // names relative to another folder
	}
	return d.Sums()
}

// keepFiles is how many files of an input are held in memory; past it
// the list moves to the spool (a variable for tests).
var keepFiles = 4096

// fileSink holds an input's files, moving them to the spool once there
// are more than keepFiles.
type fileSink struct {
	spool   *output.Spool
	files   []model.InputFile
	spooled *output.FileList
}

func (s *fileSink) add(f *model.InputFile) error {
	if s.spooled == nil && (s.spool == nil || len(s.files) < keepFiles) {
		s.files = append(s.files, *f)
		return nil
	}
	if s.spooled == nil {
		l, err := s.spool.NewFileList()
		if err != nil {
			return err
		}
		for i := range s.files {
			if err := l.Add(&s.files[i]); err != nil {
				return err
			}
		}
		s.files, s.spooled = nil, l
	}
	return s.spooled.Add(f)
}

// shareDigests lets the modules' read of a single-file input hash it (see
// acquisition.Digest): a capture is then read once, not twice.
func shareDigests(ins []*opened) {
	for _, in := range ins {
		if in.acq == nil {
			continue
		}
		dfs, ok := in.acq.FS.(acquisition.DigestFS)
		if !ok {
			continue
		}
		if st, err := os.Stat(in.path); err != nil || !st.Mode().IsRegular() {
			continue
		}
		in.digest = acquisition.NewDigest()
		in.acq.FS = dfs.WithDigest(in.digest)
	}
}

// finishDigests completes, once the modules are done, the digests they fed:
// what no module read is read and hashed here.
func finishDigests(ctx context.Context, ins []*opened, p Progress) error {
	for _, in := range ins {
		if in.digest == nil {
			continue
		}
		name := filepath.Base(in.path)
		f, err := finishDigest(ctx, in.path, in.digest, make([]byte, hashBuffer))
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			f = model.InputFile{Type: "unreadable"} // as hashInputs lists it
			in.input.Problems = append(in.input.Problems, model.ProblemOf(name, fmt.Errorf("hashing for the chain of custody: %w", err)))
		}
		f.Path = name
		p.Files(1)
		p.Bytes(f.Size)
		in.input.Files = []model.InputFile{f}
	}
	return nil
}

// finishDigest hashes the file from the first byte the digest lacks.
func finishDigest(ctx context.Context, p string, d *acquisition.Digest, buf []byte) (model.InputFile, error) {
	if err := ctx.Err(); err != nil {
		return model.InputFile{}, err
	}
	n, h := d.Take()
	f, err := openForHash(p)
	if err != nil {
		return model.InputFile{}, fmt.Errorf("%s: %w", p, err)
	}
	defer f.Close()
	if s, ok := f.(io.Seeker); ok {
		_, err = s.Seek(n, io.SeekStart)
	} else {
		_, err = io.CopyN(io.Discard, f, n)
	}
	if err != nil {
		return model.InputFile{}, fmt.Errorf("%s: %w", p, err)
	}
	m, err := io.CopyBuffer(h, safearchive.Reader(ctx, f), buf)
	if err != nil {
		return model.InputFile{}, fmt.Errorf("%s: %w", p, err)
	}
	return model.InputFile{Size: n + m, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// HashPath hashes a file, or every regular file below a folder (paths
// relative to it, in lexical order). Symbolic links are listed with their
// target, never followed; special files (FIFO, device, socket) are listed
// with their type, never opened. The first file that cannot be read is the
// error.
func HashPath(ctx context.Context, root string) ([]model.InputFile, error) {
	var files []model.InputFile
	problems, err := hashPath(ctx, root, func(f *model.InputFile) error {
		files = append(files, *f)
		return nil
	})
	if err == nil && len(problems) > 0 {
		err = errors.New(problems[0].Cause)
	}
	return files, err
}

// hashPath is HashPath that goes on past a file it cannot read: such a file
// is listed with type "unreadable" and returned as a problem. Each file is
// handed to emit as it is hashed, in order. The error is the context's,
// emit's, or the root's when it cannot be read at all.
func hashPath(ctx context.Context, root string, emit func(*model.InputFile) error) ([]model.Problem, error) {
	return hashPathSums(ctx, root, nil, emit)
}

// hashPathSums is hashPath that shares the sums of a folder's regular
// files through sums (nil: none), by their path relative to root.
func hashPathSums(ctx context.Context, root string, sums *acquisition.Sums, emit func(*model.InputFile) error) ([]model.Problem, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", root, err)
	}
	buf := make([]byte, hashBuffer)
	if !st.IsDir() {
		f, err := describe(ctx, root, st.Mode(), buf)
		if err != nil {
			return nil, err
		}
		f.Path = filepath.Base(root)
		f.ModTime = time.Time{} // a single-file input is listed without its time
		return nil, emit(&f)
	}
	var problems []model.Problem
	unreadable := func(p string, err error) error {
		rel, _ := filepath.Rel(root, p)
		problems = append(problems, model.ProblemOf(filepath.ToSlash(rel), fmt.Errorf("hashing for the chain of custody: %w", err)))
		return emit(&model.InputFile{Path: filepath.ToSlash(rel), Type: "unreadable"})
	}
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if cerr := ctx.Err(); cerr != nil {
			return cerr
		}
		if err != nil {
			if p == root {
				return fmt.Errorf("%s: %w", p, err)
			}
			if err := unreadable(p, fmt.Errorf("%s: %w", p, err)); err != nil {
				return err
			}
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		f, err := describeShared(ctx, p, filepath.ToSlash(rel), d.Type(), buf, sums)
		if err != nil {
			if ctx.Err() != nil {
				return err
			}
			return unreadable(p, err)
		}
		f.Path = filepath.ToSlash(rel)
		if f.ModTime.IsZero() { // not read from the hashed file's descriptor
			if info, err := d.Info(); err == nil {
				f.ModTime = info.ModTime().UTC()
			}
		}
		return emit(&f)
	})
	return problems, err
}

// hashBuffer is the read buffer of hashFile, reused across the files of an
// input (an iOS backup has ~100,000 small files: a buffer per file was most
// of the scan's garbage).
const hashBuffer = 64 << 10

// describeShared is describe, with the hash of a regular file shared
// through sums (under name) when sums is not nil.
func describeShared(ctx context.Context, p, name string, mode fs.FileMode, buf []byte, sums *acquisition.Sums) (model.InputFile, error) {
	if sums == nil || !mode.Type().IsRegular() {
		return describe(ctx, p, mode, buf)
	}
	sum, err := sums.Do(name, func() (acquisition.Sum, error) {
		f, err := hashFile(ctx, p, buf)
		return acquisition.Sum{Size: f.Size, SHA256: f.SHA256, ModTime: f.ModTime}, err
	})
	return model.InputFile{Size: sum.Size, SHA256: sum.SHA256, ModTime: sum.ModTime}, err
}

// describe hashes a regular file (reading through buf) and lists anything
// else by its type.
func describe(ctx context.Context, p string, mode fs.FileMode, buf []byte) (model.InputFile, error) {
	switch t := mode.Type(); {
	case t.IsRegular():
		return hashFile(ctx, p, buf)
	case t&fs.ModeSymlink != 0:
		target, err := os.Readlink(p)
		if err != nil {
			return model.InputFile{}, fmt.Errorf("%s: %w", p, err)
		}
		return model.InputFile{Type: "symlink", Target: target}, nil
	case t&fs.ModeNamedPipe != 0:
		return model.InputFile{Type: "fifo"}, nil
	case t&fs.ModeDevice != 0 || t&fs.ModeCharDevice != 0:
		return model.InputFile{Type: "device"}, nil
	case t&fs.ModeSocket != 0:
		return model.InputFile{Type: "socket"}, nil
	}
	return model.InputFile{Type: "other"}, nil
}

// openForHash opens a file to hash it (a variable so that a test can make
// one file fail as a disk error would); openFile is per system.
var openForHash = openFile

func hashFile(ctx context.Context, p string, buf []byte) (model.InputFile, error) {
	if err := ctx.Err(); err != nil {
		return model.InputFile{}, err
	}
	r, err := openForHash(p)
	if err != nil {
		return model.InputFile{}, fmt.Errorf("%s: %w", p, err)
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, safearchive.Reader(ctx, r), buf) // a Read-only wrapper: the buffer is used
	if err != nil {
		return model.InputFile{}, fmt.Errorf("%s: %w", p, err)
	}
	f := model.InputFile{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	if m, ok := r.(modTimer); ok {
		f.ModTime = m.modTime().UTC() // the zero time when it cannot say
	}
	return f, nil
}

// modTimer is a file that gives its modification time from its open
// descriptor (fstat: no path to resolve again, as an Lstat would).
type modTimer interface{ modTime() time.Time }
