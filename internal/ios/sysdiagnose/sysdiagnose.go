// Package sysdiagnose owns reading iOS sysdiagnose captures — the
// sysdiagnose_*.tar.gz archive or its extracted folder — as a read-only
// fs.FS rooted inside the top "sysdiagnose_..." folder, so that paths look
// like "system_logs.logarchive/Extra/shutdown.log" or "ps.txt".
package sysdiagnose

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

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

// Detect reports whether p looks like a sysdiagnose.
func Detect(ctx context.Context, p string) bool {
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

// Open opens the capture at p (archive or folder).
func Open(ctx context.Context, p, tempDir string) (*Sysdiagnose, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	var fsys fs.FS
	var closer io.Closer
	if st.IsDir() {
		d, err := fsdump.OpenDir(p)
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
	top, ok := findTop(fsys)
	if !ok {
		closer.Close()
		return nil, fmt.Errorf("%s: %w: no sysdiagnose files found", p, acquisition.ErrUnrecognised)
	}
	s := &Sysdiagnose{FS: fsys, Top: top, closer: closer}
	if top != "." {
		if d, ok := fsys.(*fsdump.Dir); ok {
			nd, err := fsdump.OpenDir(filepath.Join(p, filepath.FromSlash(top)))
			d.Close()
			if err != nil {
				return nil, err
			}
			s.FS, s.closer = nd, nd
			return s, nil
		}
		sub, err := fs.Sub(fsys, top)
		if err != nil {
			closer.Close()
			return nil, err
		}
		s.FS = sub
	}
	return s, nil
}

func findTop(fsys fs.FS) (string, bool) {
	if hasMarker(fsys, ".") {
		return ".", true
	}
	ents, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "", false
	}
	for _, e := range ents {
		if e.IsDir() && (strings.HasPrefix(e.Name(), "sysdiagnose_") || hasMarker(fsys, e.Name())) {
			return e.Name(), true
		}
	}
	return "", false
}

func hasMarker(fsys fs.FS, dir string) bool {
	for _, m := range markers {
		if _, err := fs.Stat(fsys, path.Join(dir, m)); err == nil {
			return true
		}
	}
	return false
}

var topRE = regexp.MustCompile(`^sysdiagnose_(\d{4})\.(\d{2})\.(\d{2})_(\d{2})-(\d{2})-(\d{2})([+-]\d{4})_[^_]+_[^_]+_([0-9A-Za-z]+)$`)

// TopInfo parses the date (RFC 3339) and build from the top folder name.
func TopInfo(top string) (date, build string, ok bool) {
	m := topRE.FindStringSubmatch(top)
	if m == nil {
		return "", "", false
	}
	return fmt.Sprintf("%s-%s-%sT%s:%s:%s%s:%s", m[1], m[2], m[3], m[4], m[5], m[6], m[7][:3], m[7][3:]), m[8], true
}
