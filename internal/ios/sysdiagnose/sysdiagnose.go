// Package sysdiagnose owns reading iOS sysdiagnose captures as a read-only
// fs.FS rooted inside the top "sysdiagnose_..." folder, so that paths look
// like "system_logs.logarchive/Extra/shutdown.log" or "ps.txt". A capture
// may be handed over as the sysdiagnose_*.tar.gz archive (or a zip/tar of
// it, with or without its top folder), as the unpacked top folder itself
// (renamed or not), or as the folder that holds the unpacked top folder.
package sysdiagnose

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/fsdump"
)

// ShutdownLog is the path of shutdown.log inside a sysdiagnose.
const ShutdownLog = "system_logs.logarchive/Extra/shutdown.log"

// markers are files only a sysdiagnose has (relative to its top folder).
var markers = []string{ShutdownLog, "sysdiagnose.log", "remotectl_dumpstate.txt", "ps_thread.txt"}

// Sysdiagnose is an opened capture.
type Sysdiagnose struct {
	FS     fs.FS
	Top    string // the top folder name, e.g. sysdiagnose_2023.09.12_14-30-00+0200_iPhone-OS_iPhone_20G75
	closer io.Closer
}

// Close releases the capture.
func (s *Sysdiagnose) Close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

// Detect reports whether p is a sysdiagnose: the archive, the unpacked top
// folder itself (what "mvt-ios check-sysdiagnose" takes), or a folder that
// holds one unpacked top folder.
func Detect(ctx context.Context, p string) bool {
	st, err := os.Stat(p)
	if err != nil {
		return false
	}
	if st.IsDir() {
		d, err := acquisition.OpenDir(p)
		if err != nil {
			return false
		}
		defer d.Close()
		_, err = findTop(d, filepath.Base(p))
		return err == nil || errors.Is(err, errSeveral)
	}
	for _, n := range fsdump.Names(ctx, p, 20000) {
		n = strings.TrimPrefix(strings.ReplaceAll(n, "\\", "/"), "./")
		first, rest, _ := strings.Cut(n, "/")
		if strings.HasPrefix(first, "sysdiagnose_") && rest != "" {
			return true
		}
		for _, m := range markers {
			if n == m || rest == m {
				return true
			}
		}
	}
	return false
}

// Open opens the capture at p (archive, top folder or the folder above it).
func Open(ctx context.Context, p, tempDir string) (*Sysdiagnose, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	var fsys fs.FS
	var closer io.Closer
	if st.IsDir() {
		d, err := acquisition.OpenDir(p)
		if err != nil {
			return nil, err
		}
		fsys, closer = d, d
	} else {
		a, err := fsdump.OpenArchive(ctx, p, tempDir)
		if err != nil {
			return nil, err
		}
		fsys, closer = a, a
	}
	top, err := findTop(fsys, inputName(p, st.IsDir()))
	if err != nil {
		closer.Close()
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	s := &Sysdiagnose{FS: fsys, Top: top, closer: closer}
	if top != "." {
		if d, ok := fsys.(*acquisition.Dir); ok {
			nd, err := acquisition.OpenDir(filepath.Join(p, filepath.FromSlash(top)))
			d.Close()
			if err != nil {
				return nil, err
			}
			s.FS, s.closer = nd, nd
		} else {
			sub, err := fs.Sub(fsys, top)
			if err != nil {
				closer.Close()
				return nil, err
			}
			s.FS = sub
		}
	} else {
		s.Top = inputName(p, st.IsDir())
	}
	if _, _, ok := TopInfo(s.Top); !ok {
		if name, ok := nameFromLog(s.FS); ok {
			s.Top = name
		}
	}
	return s, nil
}

// inputName is the name a sysdiagnose input gives its capture: a folder's
// own name, an archive's name without its extension.
func inputName(p string, dir bool) string {
	name := filepath.Base(p)
	if dir {
		return name
	}
	for _, ext := range []string{".tar.gz", ".tgz", ".tar", ".zip"} {
		if strings.HasSuffix(strings.ToLower(name), ext) {
			return name[:len(name)-len(ext)]
		}
	}
	return name
}

var logNameRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`sysdiagnose_[^\s/]+?\.tar\.gz`) })

// nameFromLog reads the capture's name from sysdiagnose.log, which records
// the archive it was writing (used when the folder was renamed).
func nameFromLog(fsys fs.FS) (string, bool) {
	f, err := fsys.Open("sysdiagnose.log")
	if err != nil {
		return "", false
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil && len(b) == 0 {
		return "", false
	}
	m := logNameRE().Find(b)
	if m == nil {
		return "", false
	}
	name := strings.TrimSuffix(string(m), ".tar.gz")
	_, _, ok := TopInfo(name)
	return name, ok
}

// findTop finds the capture's top folder in fsys: "." when fsys is the top
// folder itself (it holds a marker), else the one subfolder that is, else
// "." when the input is named like a capture. Two captures side by side are
// refused rather than one of them silently left out.
func findTop(fsys fs.FS, name string) (string, error) {
	if hasMarker(fsys, ".") {
		return ".", nil
	}
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "", err
	}
	var found []string
	for _, e := range ents {
		if e.IsDir() && (strings.HasPrefix(e.Name(), "sysdiagnose_") || hasMarker(fsys, e.Name())) {
			found = append(found, e.Name())
		}
	}
	switch len(found) {
	case 0:
		if topRE().MatchString(name) {
			return ".", nil
		}
		return "", fmt.Errorf("%w: no sysdiagnose files found", acquisition.ErrUnrecognised)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%w (%s): scan each one", errSeveral, strings.Join(found, ", "))
}

// errSeveral: a folder holds more than one capture. It is still reported as
// a sysdiagnose, so the user reads why it was not scanned.
var errSeveral = fmt.Errorf("%w: several sysdiagnose captures side by side", acquisition.ErrUnrecognised)

func hasMarker(fsys fs.FS, dir string) bool {
	for _, m := range markers {
		if _, err := fs.Stat(fsys, path.Join(dir, m)); err == nil {
			return true
		}
	}
	return false
}

var topRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^sysdiagnose_(\d{4})\.(\d{2})\.(\d{2})_(\d{2})-(\d{2})-(\d{2})([+-]\d{4})_[^_]+_[^_]+_([0-9A-Za-z]+)$`)
})

// TopInfo parses the date (RFC 3339) and build from the top folder name.
func TopInfo(top string) (date, build string, ok bool) {
	m := topRE().FindStringSubmatch(top)
	if m == nil {
		return "", "", false
	}
	return fmt.Sprintf("%s-%s-%sT%s:%s:%s%s:%s", m[1], m[2], m[3], m[4], m[5], m[6], m[7][:3], m[7][3:]), m[8], true
}
