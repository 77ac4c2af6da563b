// Package dumpmod owns the plumbing shared by the modules that read dumpsys
// sections: locating the dump of the acquisition, streaming the wanted
// sections through the splitter, and turning a missing dump, a cut section
// or a read failure into ErrNotFound or a per-file error.
package dumpmod

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/android/dumpsys"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/module"
)

// Stream finds the dump for the input's kind and streams the lines of the
// sections that match to fn. It returns the dump's path and
// module.ErrNotFound when there is no dump or no matching section. A cut
// section or a read error is recorded as a file error and the lines read so
// far are kept (nil error).
func Stream(ctx context.Context, in *module.Input, rec *module.Recorder, match func(*dumpsys.Section) bool,
	fn func(s *dumpsys.Section, line []byte) error) (string, error) {
	p, err := locate.Dump(in.Acq.FS, in.Acq.Kind)
	if err != nil {
		return "", module.ErrNotFound
	}
	f, err := in.Acq.FS.Open(p)
	if err != nil {
		rec.FileError(p, fmt.Errorf("%s: %w", p, err))
		return p, nil
	}
	defer f.Close()
	rec.File(p)
	res, err := dumpsys.Lines(ctx, f, match, fn)
	if err != nil {
		if ctx.Err() != nil {
			return p, ctx.Err()
		}
		rec.FileError(p, fmt.Errorf("%s: %w", p, err))
	}
	for _, s := range res.Truncated {
		rec.FileError(p, dumpsys.TruncatedError(p, s))
	}
	if res.Found == 0 && err == nil {
		return p, module.ErrNotFound
	}
	return p, nil
}

// Service streams one dumpsys service section (see Stream).
func Service(ctx context.Context, in *module.Input, rec *module.Recorder, name string, fn func(line string)) (string, error) {
	return Stream(ctx, in, rec, dumpsys.IsService(name), func(_ *dumpsys.Section, line []byte) error {
		fn(string(line))
		return nil
	})
}

// IsNotFound reports whether err is module.ErrNotFound.
func IsNotFound(err error) bool { return errors.Is(err, module.ErrNotFound) }

var timeLayouts = []string{
	"2006-01-02 15:04:05.000",
	"2006-01-02 15:04:05",
	"2006-01-02-15-04-05",
	"2006-01-02",
}

// ParseTime reads the timestamps printed by dumpsys ("2024-05-01
// 10:00:00[.123]", battery stats' "2024-05-01-10-00-00"). They are in the
// phone's local time zone, which the dump does not state: like MVT, they
// are kept as wall-clock time and labelled UTC.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var pkgRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$`)

// IsPackageName reports whether s looks like an Android package name.
func IsPackageName(s string) bool { return len(s) < 256 && pkgRE.MatchString(s) }

// Indent returns the number of leading spaces of line.
func Indent(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}
