// Package scanjob runs one scan the way `spyscan scan` does, from loaded
// indicators to a finished result folder: the scan's info (tool, command
// line, indicator sources, digest and problems), the canary self-test,
// scan.Run, the result files and report.html. The command line and the
// lab's queue both run scans through it, so a lab scan and a command-line
// scan of the same inputs give the same folder.
package scanjob

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
	"github.com/spyscan/spyscan/internal/report/html"
	"github.com/spyscan/spyscan/internal/scan"
	"github.com/spyscan/spyscan/internal/selftest"
)

// Job is one scan to run.
type Job struct {
	Inputs      []string
	OutDir      string // must exist and be empty; removed when the scan does not run
	Case        string
	Version     string   // the tool version written into info.json
	CommandLine []string // secrets already removed
	Set         *indicators.Set
	Index       *match.Index
	Lang        string // of report.html
	Concurrency int
	Modules     []module.Module // nil: every module
	Options     acquisition.Options
	Log         *slog.Logger
	Progress    scan.Progress
}

// Run runs the scan and writes its result folder. The report it returns
// has its alerts, modules and verdict; its timeline was spilled to disk
// during the scan and is gone when Run returns: read it from the folder
// (output.Load). On an error before
// results (a password problem, an unrecognised single input, a cancelled
// context) OutDir is removed: nothing is written for a scan that did not
// run.
func Run(ctx context.Context, j Job) (*model.Report, error) {
	if j.Log == nil {
		j.Log = slog.New(slog.DiscardHandler)
	}
	srcs, digest, count := Info(j.Set, j.Index)
	info := model.ScanInfo{Tool: "spyscan", Version: j.Version, CommandLine: j.CommandLine, Case: j.Case,
		IndicatorDigest: digest, IndicatorSources: srcs, IndicatorCount: count,
		IndicatorWarnings: j.Set.Warnings, IndicatorProblems: Problems(j.Set)}
	if err := selftest.Canary(ctx); err != nil {
		j.Log.Error("self-test failed: the verdict will be inconclusive", "err", err)
	} else {
		info.SelfTest.CanaryOK = true
	}
	res, err := scan.Run(ctx, scan.Config{Inputs: j.Inputs, Index: j.Index, Info: info, OutDir: j.OutDir, Log: j.Log,
		Progress: j.Progress, Modules: j.Modules, Concurrency: j.Concurrency, Options: j.Options})
	if err != nil {
		output.RemoveAll(j.OutDir) // nothing is written for a scan that did not run, or was interrupted
		return nil, err
	}
	defer res.Close()
	// One pass over the merged timeline for its files and the report.
	pass := html.NewTimelinePass(res.Report)
	if err := output.WriteWith(j.OutDir, res.Report, res.Observables, pass.Add); err != nil {
		return nil, err
	}
	if err := writeHTML(j.OutDir, res.Report, j.Lang, pass); err != nil {
		return nil, err
	}
	return res.Report, nil
}

// WriteHTML renders report.html into a result folder.
func WriteHTML(dir string, r *model.Report, lang string) error {
	return writeHTML(dir, r, lang, nil)
}

// writeHTML is WriteHTML with the timeline's pass made (see html.RenderPass).
func writeHTML(dir string, r *model.Report, lang string, pass *html.TimelinePass) error {
	p := filepath.Join(dir, output.ReportHTML)
	f, err := output.Create(p)
	if err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	rerr := html.RenderPass(f, r, lang, pass)
	if err := errors.Join(rerr, f.Close()); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

// Problems lists what makes the loaded indicators unfit for a conclusive
// scan: the files asked for (--iocs, SPYSCAN_IOCS, the update cache) that
// could not be used, and the path sources that gave no usable indicator.
// (No usable indicator at all is the self-test's check.)
func Problems(set *indicators.Set) []model.Problem {
	ps := append([]model.Problem(nil), set.Unread...)
	for _, s := range set.Sources {
		if s.Kind == indicators.Path && s.Indicators() == 0 && !hasPath(set.Unread, s.Origin) {
			ps = append(ps, model.Problem{Kind: model.KindIndicators, Path: s.Origin,
				Cause: s.Origin + ": no usable indicator (no STIX 2.1 indicator spyscan can match)"})
		}
	}
	return ps
}

func hasPath(ps []model.Problem, p string) bool {
	for _, x := range ps {
		xp, err := filepath.Abs(x.Path)
		if err == nil && (xp == p || strings.HasPrefix(xp, p+string(filepath.Separator))) {
			return true
		}
	}
	return false
}

// Info summarises the loaded sources for info.json: the sources, the
// digest of the indicator set and the number of distinct indicators.
func Info(set *indicators.Set, ix *match.Index) ([]model.IndicatorSource, string, int) {
	var out []model.IndicatorSource
	for _, s := range set.Sources {
		out = append(out, model.IndicatorSource{Name: s.Name, Kind: string(s.Kind), Origin: s.Origin,
			Commit: s.Commit, Date: s.Date, Files: len(s.Files), Indicators: s.Indicators()})
	}
	return out, set.Digest(), ix.Len()
}
