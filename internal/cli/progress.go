package cli

import (
	"github.com/spyscan/spyscan/internal/progress"
	"github.com/spyscan/spyscan/internal/scan"
)

// The progress display must satisfy what the scan core calls.
var _ scan.Progress = progress.Reporter(nil)

// newProgress returns the stderr progress display of a long scan: shown
// only when stderr is a terminal and quiet is false. Call Stop before
// printing the summary.
func (a *app) newProgress(quiet bool) progress.Reporter {
	return progress.New(a.stderr, progress.Options{Quiet: quiet || a.verbose})
}
