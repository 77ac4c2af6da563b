// Package aqflogtimestamps owns the androidqf log timestamps module: the
// modification times of the log files androidqf copied into logs/, put on
// the timeline.
package aqflogtimestamps

import (
	"context"
	"io/fs"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_log_timestamps"

// Dir is the folder read.
const Dir = "logs"

// File is one log file and its modification time.
type File struct {
	Path         string    `json:"path"`
	ModifiedTime time.Time `json:"modified_time"`
}

// Module is the androidqf log timestamps module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	n := 0
	err := fs.WalkDir(in.Acq.FS, Dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != Dir {
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
			rec.Event(model.Event{Time: f.ModifiedTime, Event: "M---", Artifact: p, Description: p})
		}
		return nil
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return module.ErrNotFound
	}
	return nil
}
