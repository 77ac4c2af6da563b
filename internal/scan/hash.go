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

	"github.com/spyscan/spyscan/internal/model"
)

// hashInputs records the size and SHA-256 of every regular file of every
// opened input, for the chain of custody. Files are opened read-only.
func hashInputs(ctx context.Context, ins []*opened, p Progress) error {
	for _, in := range ins {
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

// HashPath hashes a file, or every regular file below a folder (paths
// relative to it, in lexical order). Symbolic links are listed, not followed.
func HashPath(ctx context.Context, root string) ([]model.InputFile, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", root, err)
	}
	if !st.IsDir() {
		f, err := hashFile(ctx, root, make([]byte, hashBuffer))
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
		if !d.Type().IsRegular() {
			return nil
		}
		f, err := hashFile(ctx, p, buf)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		f.Path = filepath.ToSlash(rel)
		out = append(out, f)
		return nil
	})
	return out, err
}

// hashBuffer is the read buffer of hashFile, reused across the files of an
// input (an iOS backup has ~100,000 small files: a buffer per file was most
// of the scan's garbage).
const hashBuffer = 64 << 10

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
	n, err := io.CopyBuffer(h, onlyReader{f}, buf)
	if err != nil {
		return model.InputFile{}, fmt.Errorf("%s: %w", p, err)
	}
	return model.InputFile{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// onlyReader hides *os.File's WriterTo, which would make io.CopyBuffer
// ignore the buffer it is given.
type onlyReader struct{ io.Reader }
