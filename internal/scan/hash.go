package scan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/safearchive"
)

// hashInputs records the size and SHA-256 of every regular file of every
// opened input, for the chain of custody. Files are opened read-only. An
// input hashed in the modules' read (in.digest) is left to finishDigests.
func hashInputs(ctx context.Context, ins []*opened, p Progress) error {
	for _, in := range ins {
		if in.digest != nil {
			continue
		}
		files, err := HashPath(ctx, in.path)
		for _, f := range files {
			p.Files(1)
			p.Bytes(f.Size)
		}
		if err != nil {
			return err
		}
		in.input.Files = files
	}
	return nil
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
		f, err := finishDigest(ctx, in.path, in.digest, make([]byte, hashBuffer))
		if err != nil {
			return err
		}
		f.Path = filepath.Base(in.path)
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
	f, err := os.Open(p)
	if err != nil {
		return model.InputFile{}, fmt.Errorf("%s: %w", p, err)
	}
	defer f.Close()
	if _, err := f.Seek(n, io.SeekStart); err != nil {
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
// with their type, never opened.
func HashPath(ctx context.Context, root string) ([]model.InputFile, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", root, err)
	}
	if !st.IsDir() {
		f, err := describe(ctx, root, st.Mode(), make([]byte, hashBuffer))
		if err != nil {
			return nil, err
		}
		f.Path = filepath.Base(root)
		return []model.InputFile{f}, nil
	}
	var out []model.InputFile
	buf := make([]byte, hashBuffer)
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		if d.IsDir() {
			return nil
		}
		f, err := describe(ctx, p, d.Type(), buf)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		f.Path = filepath.ToSlash(rel)
		if info, err := d.Info(); err == nil {
			f.ModTime = info.ModTime().UTC()
		}
		out = append(out, f)
		return nil
	})
	return out, err
}

// hashBuffer is the read buffer of hashFile, reused across the files of an
// input (an iOS backup has ~100,000 small files: a buffer per file was most
// of the scan's garbage).
const hashBuffer = 64 << 10

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

func hashFile(ctx context.Context, p string, buf []byte) (model.InputFile, error) {
	if err := ctx.Err(); err != nil {
		return model.InputFile{}, err
	}
	f, err := os.Open(p)
	if err != nil {
		return model.InputFile{}, fmt.Errorf("%s: %w", p, err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, safearchive.Reader(ctx, f), buf) // a Read-only wrapper: the buffer is used
	if err != nil {
		return model.InputFile{}, fmt.Errorf("%s: %w", p, err)
	}
	return model.InputFile{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
