// Package module owns the contract between the scan core and the artifact
// modules: the Module interface every module implements, the Input it is
// given, and the Recorder through which it reports records, indicator hits,
// heuristic alerts, timeline events and per-file errors.
package module

import (
	"context"
	"log/slog"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/match"
)

// Module selects and parses one artifact of an acquisition.
type Module interface {
	// Name is the module's stable identifier, used for its JSON file name.
	Name() string
	// Applies reports whether the module can run on this kind of input.
	Applies(kind acquisition.Kind) bool
	// Run reads the artifact from in.Acq.FS and reports through rec. It
	// returns an error only when the module as a whole could not run; a
	// failure on one file goes to rec.FileError and the module goes on.
	// Returning ErrNotFound marks the module as having nothing to read.
	Run(ctx context.Context, in *Input, rec *Recorder) error
}

// Input is what a module gets to read.
type Input struct {
	Acq     *acquisition.Acquisition
	Index   *match.Index
	TempDir string // private (0700) scratch directory, removed after the scan
	Log     *slog.Logger
}

// DefaultVersion is the version of a module that does not declare one.
const DefaultVersion = "1"

// VersionOf is the version of m's parser, recorded in info.json: the
// result of its Version method when it has one, else DefaultVersion.
func VersionOf(m Module) string {
	if v, ok := m.(interface{ Version() string }); ok && v.Version() != "" {
		return v.Version()
	}
	return DefaultVersion
}
