// Package bugreporttimestamps owns the bugreport timestamps module: the
// modification times of the files under the bugreport's FS/ folder (as
// stored in the zip or on disk), put on the timeline. They show when logs,
// tombstones, ANR traces and keys were last written on the phone.
package bugreporttimestamps

import (
	"context"
	"io/fs"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "bugreport_timestamps"

// File is one file and its modification time.
type File struct {
	Path         string    `json:"path"`
	ModifiedTime time.Time `json:"modified_time"`
}

// Module is the bugreport timestamps module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.AppliesFunc(locate.Applies))} }

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
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
