// Package bugreporttimestamps owns the bugreport timestamps module: the
// modification times of the files under the bugreport's FS/ folder (as
// stored in the zip or on disk), put on the timeline. They show when logs,
// tombstones, ANR traces and keys were last written on the phone. A zip's
// times are the phone's wall clock; they are converted to UTC with the
// phone's time zone when the dumpstate gives it.
package bugreporttimestamps

import (
	"archive/zip"
	"context"
	"io/fs"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// zipWallClock returns the modification time of a zip entry that has only
// the MS-DOS time (no extended timestamp, which archive/zip would read as
// UTC): a wall-clock time in an unknown zone.
func zipWallClock(info fs.FileInfo) (time.Time, bool) {
	fh, ok := info.Sys().(*zip.FileHeader)
	if !ok || fh.Modified.IsZero() || fh.Modified.Location() != time.UTC {
		return time.Time{}, false // a file on disk, or an entry with a UTC timestamp
	}
	return fh.Modified, true
}

// Name is the module's name.
const Name = "bugreport_timestamps"

// File is one file and its modification time.
type File struct {
	Path         string    `json:"path"`
	ModifiedTime time.Time `json:"modified_time"`
	// WallClock is the time as a zip stores it without a zone (MS-DOS
	// time, the phone's wall clock: dumpstate writes no UTC timestamp),
	// and Timezone the phone's zone (persist.sys.timezone) it was read in
	// to give ModifiedTime; both are empty when the time needed no
	// conversion or the zone is unknown.
	WallClock string `json:"wall_clock,omitempty"`
	Timezone  string `json:"timezone,omitempty"`
}

// Module is the bugreport timestamps module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 2, module.AppliesFunc(locate.Applies))} }

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	var loc *time.Location
	if in.Acq.TZ != "" {
		loc, _ = time.LoadLocation(in.Acq.TZ) // an unknown zone leaves the times as stored
	}
	n := 0
	for _, root := range locate.BugreportRoots(in.Acq.FS, in.Acq.Kind) {
		dir := locate.Join(root, "FS")
		err := fs.WalkDir(in.Acq.FS, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p != dir {
					rec.FileError(p, err)
				}
				return nil
			}
			if d.IsDir() {
				return ctx.Err()
			}
			info, err := d.Info()
			if err != nil {
				rec.FileError(p, err)
				return nil
			}
			n++
			f := File{Path: p, ModifiedTime: info.ModTime().UTC()}
			if wall, ok := zipWallClock(info); ok && loc != nil {
				// As MVT since 2026-08 (modified_time_utc); spyscan kept the
				// wall clock labelled UTC until 2026-12.
				f.WallClock, f.Timezone = wall.Format("2006-01-02 15:04:05"), in.Acq.TZ
				f.ModifiedTime = time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), 0, loc).UTC()
			}
			rec.Record(f)
			if !f.ModifiedTime.IsZero() {
				rec.Event(model.Event{Time: f.ModifiedTime, Event: "M---", Artifact: p,
					Description: strings.TrimPrefix(strings.TrimPrefix(p, root+"/"), "FS")})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if n == 0 {
		return module.ErrNotFound
	}
	return nil
}
