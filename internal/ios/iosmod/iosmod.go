// Package iosmod owns what the iOS artifact modules share: finding an
// artifact's files, reading each (bounded) or opening each database safely,
// selecting columns that may be missing in other iOS versions and reading
// rows as loosely typed values (query.go), decoding plists and turning
// their values into stable JSON (plist.go), finding links in text
// (links.go), and adding timeline events.
package iosmod

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
	"github.com/spyscan/spyscan/internal/timefmt"
)

// Find returns the artifact's paths, or module.ErrNotFound.
func Find(in *module.Input, s artifact.Spec) ([]string, error) {
	paths := artifact.Find(in.Acq.FS, in.Acq.Kind, s)
	if len(paths) == 0 {
		return nil, module.ErrNotFound
	}
	return paths, nil
}

// ForEachDB opens each database of the spec with sqlitex and calls fn. A
// database that cannot be opened or read is recorded as a file error and
// the others are still read.
func ForEachDB(ctx context.Context, in *module.Input, rec *module.Recorder, s artifact.Spec,
	fn func(ctx context.Context, db *sqlitex.DB, path string) error) error {
	paths, err := Find(in, s)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec.File(p)
		db, err := sqlitex.Open(ctx, in.Acq.FS, p, in.TempDir)
		if err != nil {
			rec.FileError(p, err)
			continue
		}
		if err := fn(ctx, db, p); err != nil {
			rec.FileError(p, err)
		}
		db.Close()
	}
	return nil
}

// ForEachFile reads each file of the spec (up to limit bytes) and calls fn.
func ForEachFile(ctx context.Context, in *module.Input, rec *module.Recorder, s artifact.Spec, limit int64,
	fn func(path string, data []byte) error) error {
	paths, err := Find(in, s)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return err
		}
		rec.File(p)
		data, err := ReadFile(in.Acq.FS, p, limit)
		if err != nil {
			rec.FileError(p, err)
			continue
		}
		if err := fn(p, data); err != nil {
			rec.FileError(p, fmt.Errorf("%s: %w", p, err))
		}
	}
	return nil
}

// ErrTooLarge is returned for files over the read limit.
var ErrTooLarge = errors.New("file larger than the read limit")

// ReadFile reads name, refusing files over limit bytes. The limit is
// enforced on what is read, not on the size a (possibly lying) archive
// header announces.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, Named(name, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, Named(name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: %w (over %d bytes)", name, ErrTooLarge, limit)
	}
	return b, nil
}

// Named makes err name the file it is about, once: it is returned as it is
// when it already names it (an *fs.PathError from Open does), else wrapped
// as "name: err".
func Named(name string, err error) error {
	if err == nil || strings.Contains(err.Error(), name) {
		return err
	}
	return fmt.Errorf("%s: %w", name, err)
}

// Event adds a timeline event when t is known.
func Event(rec *module.Recorder, t time.Time, event string, desc i18n.Msg, artifact string) {
	if t.IsZero() {
		return
	}
	rec.Event(model.Event{Time: t, Event: event, DescriptionMsg: desc, Artifact: artifact})
}

// Whole writes a number rounded to a whole one as fmt's "%.0f" does
// (strconv's digits; fmt's own text for infinities and NaN), without fmt:
// a usage row's byte counts, per row of a large table.
func Whole(v float64) string {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return strconv.FormatFloat(v, 'f', 0, 64)
}

// ISO formats a time for records ("" when zero).
func ISO(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	var b [len(timefmt.Micro)]byte
	return string(timefmt.AppendMicro(b[:0], t.UTC()))
}

// AppleTime converts a Core Data timestamp column (seconds or nanoseconds
// since 2001).
func AppleTime(r Row, c string) time.Time { return model.FromAppleSeconds(r.Float(c)) }
