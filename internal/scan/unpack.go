package scan

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/fsdump"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/safearchive"
)

// unpacked is an archive of acquisitions unpacked into the scan's temp folder.
type unpacked struct {
	inputs  []string              // the folders and files to scan, under the temp folder
	shown   map[string]string     // input → the name a person reads: "evidence.zip/ios_backup"
	skipped []safearchive.Skipped // entries not written (links, macOS metadata)
}

// unpackArchive is called for an input no opener recognises. When it is a
// sound zip, tar or tar.gz that holds acquisitions (a zipped iOS backup, a
// zip of one person's acquisitions), it is unpacked into tempDir and the inputs it
// holds are returned: the unpacked folder when it is one acquisition, else
// its entries, as expandFolders would split a folder. ok is false when p is
// no zip, or holds no acquisition; a zip that cannot be unpacked (no room
// on the disk, a damaged entry) is an error naming it.
func unpackArchive(ctx context.Context, openers []acquisition.Opener, p, tempDir string, n int) (unpacked, bool, error) {
	format := fsdump.Sniff(p)
	if tempDir == "" || format == fsdump.NotArchive {
		return unpacked{}, false, nil
	}
	dir := filepath.Join(tempDir, fmt.Sprintf("archive-%d", n))
	if err := os.Mkdir(dir, 0o700); err != nil {
		return unpacked{}, false, fmt.Errorf("%s: %w", p, err)
	}
	var skipped []safearchive.Skipped
	var err error
	if format == fsdump.Zip {
		var z *safearchive.FS
		if z, err = safearchive.Open(p, safearchive.DefaultLimits); err == nil {
			skipped, err = z.ExtractTo(ctx, dir)
			z.Close()
		}
	} else {
		// a tar (gzipped or not): its reader checks names and links and
		// inflates a .tar.gz once into the temp folder
		a, oerr := fsdump.OpenArchive(ctx, p, tempDir)
		if oerr != nil {
			os.RemoveAll(dir)
			if errors.Is(oerr, acquisition.ErrUnsafeArchive) || errors.Is(oerr, safearchive.ErrNoSpace) || ctx.Err() != nil {
				return unpacked{}, false, oerr
			}
			return unpacked{}, false, nil // a gzip of something else than a tar: unrecognised
		}
		skipped, err = safearchive.Extract(ctx, a, p, dir, 0)
		a.Close()
	}
	if err != nil {
		os.RemoveAll(dir)
		return unpacked{}, false, err
	}
	u := unpacked{skipped: skipped, shown: map[string]string{}}
	if _, ok := detect(ctx, openers, dir); ok {
		u.inputs = []string{dir}
	} else if entries, ok := folderOfInputs(ctx, openers, dir); ok {
		u.inputs = entries
	}
	if len(u.inputs) == 0 {
		os.RemoveAll(dir)
		return unpacked{}, false, nil
	}
	for _, in := range u.inputs {
		rel, err := filepath.Rel(dir, in)
		if err != nil || rel == "." {
			u.shown[in] = p
			continue
		}
		u.shown[in] = p + "/" + filepath.ToSlash(rel)
	}
	return u, true, nil
}

// shownError names an input unpacked from a zip by the path a person
// knows (the zip's, then the entry's) rather than the temp folder's; it
// wraps err, so its outcome (errors.Is) is unchanged.
func shownError(err error, real, shown string) error {
	if real == shown {
		return err
	}
	return renamedError{err, strings.ReplaceAll(err.Error(), real, shown)}
}

type renamedError struct {
	err error
	msg string
}

func (e renamedError) Error() string { return e.msg }
func (e renamedError) Unwrap() error { return e.err }

// shownOptions asks for an unpacked input's password by the name a person
// knows.
func shownOptions(opt acquisition.Options, real, shown string) acquisition.Options {
	if real == shown || opt.Password == nil {
		return opt
	}
	ask := opt.Password
	opt.Password = func(ctx context.Context, p string) (string, error) {
		return ask(ctx, strings.Replace(p, real, shown, 1))
	}
	return opt
}

// skippedProblems lists the entries of a zip that were not unpacked. macOS
// metadata is not evidence of the device and is left out of the problems
// (the zip itself is hashed); a link or special file is a problem, so that
// the scan cannot say clean without it.
func skippedProblems(p string, skipped []safearchive.Skipped) []model.Problem {
	var ps []model.Problem
	for _, s := range skipped {
		if s.Metadata {
			continue
		}
		ps = append(ps, model.ProblemOf(s.Name, fmt.Errorf("%s/%s: %w: %s, not unpacked", p, s.Name, acquisition.ErrSpecialFile, s.Reason)))
	}
	return ps
}

// isUnrecognised reports whether err is the "no opener recognises it"
// outcome of Open, the only one for which an archive is unpacked.
func isUnrecognised(err error) bool { return errors.Is(err, acquisition.ErrUnrecognised) }
