// Package mounts owns the androidqf mounts module: mounts.json, the mount
// table lines androidqf captured ("dev on /mnt type fs (opts)" or the
// /proc/mounts form). System partitions mounted read-write (a sign of root
// or system modification) and other suspicious options are flagged, and
// mount points and devices are checked against path indicators.
package mounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/mountlist"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_mounts"

// FileName is the artifact read.
const FileName = "mounts.json"

// Module is the androidqf mounts module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	f, err := in.Acq.FS.Open(FileName)
	if errors.Is(err, fs.ErrNotExist) {
		return module.ErrNotFound
	}
	if err != nil {
		rec.FileError(FileName, fmt.Errorf("%s: %w", FileName, err))
		return nil
	}
	defer f.Close()
	rec.File(FileName)
	b, err := io.ReadAll(io.LimitReader(f, 16<<20))
	var lines []string
	if err == nil {
		err = json.Unmarshal(b, &lines)
	}
	if err != nil {
		rec.FileError(FileName, fmt.Errorf("%s: expected a JSON list of mount lines: %w", FileName, err))
		return nil
	}
	for _, l := range lines {
		m, ok := mountlist.ParseLine(l)
		if !ok {
			rec.Note(i18n.M("android.note.mount_line", "file", FileName, "line", l))
			continue
		}
		mountlist.Report(rec, FileName, m)
	}
	return nil
}
