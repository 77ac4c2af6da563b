package safearchive

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/model"
)

// ErrNoSpace: inflating an archive would fill the disk of the temp folder.
var ErrNoSpace = model.NewError(model.KindRefused, "not enough free disk space to inflate the archive")

// MinFree is the free space InflateTo leaves on the temp folder's disk.
var MinFree int64 = 512 << 20

// checkEvery is how often (in bytes written) InflateTo checks the space left.
const checkEvery = 64 << 20

// freeSpace is the free space of the disk holding dir; ok is false where
// it cannot be known. A variable so that tests can pretend a small disk.
var freeSpace = diskFree

// InflateTo copies the decompressed stream src of archive name into dst (a
// file of the private temp folder), first checking that the disk has room
// for expect bytes (0 when unknown) plus MinFree, then again every 64 MiB.
// A refusal wraps ErrNoSpace and names the archive and the folder; other
// errors are src's (the caller says whether the archive is damaged) or
// dst's.
func InflateTo(ctx context.Context, dst *os.File, src io.Reader, name string, expect int64) (int64, error) {
	dir := filepath.Dir(dst.Name())
	if err := roomFor(dir, name, expect); err != nil {
		return 0, err
	}
	buf := make([]byte, 1<<20)
	var n int64
	next := int64(checkEvery)
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		k, rerr := src.Read(buf)
		if k > 0 {
			if _, err := dst.Write(buf[:k]); err != nil {
				return n, fmt.Errorf("%s: inflating into %s: %w", name, dir, err)
			}
			n += int64(k)
			if n >= next {
				if err := roomFor(dir, name, 0); err != nil {
					return n, err
				}
				next += checkEvery
			}
		}
		if rerr == io.EOF {
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

func roomFor(dir, name string, expect int64) error {
	free, ok := freeSpace(dir)
	if !ok {
		return nil
	}
	if need := expect + MinFree; free < need {
		return fmt.Errorf("%s: %w: %s has %d bytes free, fewer than the %d needed (%d for the archive, %d kept free); set TMPDIR to a larger disk",
			name, ErrNoSpace, dir, free, need, expect, MinFree)
	}
	return nil
}
