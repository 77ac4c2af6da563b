package safearchive

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// Skipped is an entry ExtractTo did not write, and why.
type Skipped struct {
	Name   string
	Reason string
	// Metadata is set for macOS's metadata entries, which hold nothing
	// of the device.
	Metadata bool
}

// ExtractTo writes the archive's folders and regular files under dir (a
// folder of the scan's private temp folder), for acquisitions that can only
// be read from a folder (an iOS backup's Manifest.db is opened by SQLite).
// Names and declared sizes were checked when the archive was opened. See
// Extract.
func (z *FS) ExtractTo(ctx context.Context, dir string) ([]Skipped, error) {
	var total int64
	for _, f := range z.File {
		total += int64(f.UncompressedSize64)
	}
	return Extract(ctx, z, z.name, dir, total)
}

// Extract writes the folders and regular files of an archive read as the
// fs.FS fsys (whose reader has checked its names: this one or the tar
// reader of ios/fsdump) under dir. name names the archive in errors;
// total, when known, is the room it needs on the disk, checked first, and
// the disk is checked again every 64 MiB (InflateTo). Folders are 0700 and
// files 0600; files keep the entry's modification time. Links, devices and
// FIFOs are not written, nor macOS's metadata (__MACOSX/ and "._" files,
// which Finder adds to the zips it makes): they are returned as skipped. A
// cancelled ctx stops it.
func Extract(ctx context.Context, fsys fs.FS, name, dir string, total int64) ([]Skipped, error) {
	if err := roomFor(dir, name, total); err != nil {
		return nil, err
	}
	var skipped []Skipped
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if p == "." {
			return nil
		}
		if macMetadata(p) {
			skipped = append(skipped, Skipped{Name: p, Reason: "macOS metadata", Metadata: true})
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		switch {
		case d.IsDir():
			return os.Mkdir(dst, 0o700)
		case !d.Type().IsRegular():
			skipped = append(skipped, Skipped{Name: p, Reason: "not a regular file (" + d.Type().String() + ")"})
			return nil
		}
		return extractFile(ctx, fsys, name, p, dst)
	})
	return skipped, err
}

// macMetadata reports the entries Finder adds to a zip: the __MACOSX
// folder and AppleDouble "._name" files.
func macMetadata(name string) bool {
	return name == "__MACOSX" || strings.HasPrefix(name, "__MACOSX/") || strings.HasPrefix(path.Base(name), "._")
}

func extractFile(ctx context.Context, fsys fs.FS, archive, name, dst string) error {
	where := archive + "/" + name
	src, err := fsys.Open(name)
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := InflateTo(ctx, out, src, where, 0); err != nil {
		out.Close()
		if errors.Is(err, ErrNoSpace) || ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("%s: %w: %w", where, acquisition.ErrCorrupt, err)
	}
	if err := out.Close(); err != nil {
		return err
	}
	if mt := st.ModTime(); !mt.IsZero() {
		return os.Chtimes(dst, mt, mt)
	}
	return nil
}
