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

// Module selects and parses one artifact of an acquisition. Modules embed
// a Base, which gives the first three methods.
type Module interface {
	Info
	// Run reads the artifact from in.Acq.FS and reports through rec. It
	// returns an error only when the module as a whole could not run; a
	// failure on one file goes to rec.FileError and the module goes on.
	// Returning ErrNotFound marks the module as having nothing to read.
	Run(ctx context.Context, in *Input, rec *Recorder) error
}

// Info is what the core knows of a module without running it.
type Info interface {
	// Name is the module's stable identifier, used for its JSON file name.
	Name() string
	// Version is the version of the module's output: it goes up when the
	// records, alerts or timeline the module gives for the same input
	// change, so results of different versions are never taken as
	// comparable. It starts at 1.
	Version() int
	// Applies reports whether the module can run on this kind of input.
	Applies(kind acquisition.Kind) bool
}

// Input is what a module gets to read.
type Input struct {
	Acq     *acquisition.Acquisition
	Index   *match.Index
	TempDir string // private (0700) scratch directory, removed after the scan
	Log     *slog.Logger
}
