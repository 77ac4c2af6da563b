package scan

import (
	"cmp"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
	"github.com/spyscan/spyscan/internal/safearchive"
	"github.com/spyscan/spyscan/internal/selftest"
)

// errModulePanic marks a module that panicked: a defect of spyscan, never
// blamed on the evidence.
var errModulePanic = model.NewError(model.KindInternal, "internal error in module")

// Progress receives scan progress; all methods may be called concurrently.
type Progress interface {
	Plan(modules int)
	ModuleStarted(input, name string)
	ModuleDone(input, name string)
	Files(n int)
	Bytes(n int64)
}

type noProgress struct{}

func (noProgress) Plan(int)                     {}
func (noProgress) ModuleStarted(string, string) {}
func (noProgress) ModuleDone(string, string)    {}
func (noProgress) Files(int)                    {}
func (noProgress) Bytes(int64)                  {}

// Config is what a scan needs.
type Config struct {
	Inputs      []string
	Index       *match.Index
	Info        model.ScanInfo // filled by the caller: tool, version, command line, indicators, case
	OutDir      string         // module files are streamed here; "" keeps records in memory
	Options     acquisition.Options
	Concurrency int // modules run at once; 0 means GOMAXPROCS
	Log         *slog.Logger
	Now         func() time.Time
	Openers     []acquisition.Opener // nil: Openers()
	Modules     []module.Module      // nil: Modules()
	Progress    Progress
}

// Result is a finished scan: the report and the values checked. Its
// timeline and observables are read from a spool on disk until Close.
type Result struct {
	Report      *model.Report
	Observables output.Observables
	spool       *output.Spool
}

// Close removes the files behind the result's timeline and observables.
func (r *Result) Close() error {
	if r == nil || r.spool == nil {
		return nil
	}
	return r.spool.Close()
}

// opened is one input after detection and opening.
type opened struct {
	idx int
	// path is where the input is read; input.Path is the name a person
	// reads, the same but for what a zip held (path is then under the
	// scan's temp folder, input.Path "evidence.zip/ios_backup").
	path  string
	acq   *acquisition.Acquisition
	input model.Input
	// digest is fed by the modules' read of a single-file input and
	// completed once they are done (finishDigests); nil: hashInputs.
	digest *acquisition.Digest
}

// Run scans every input. Inputs that cannot be opened are listed in the
// report; a password problem or an unrecognised single input aborts the
// scan before anything is written.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	cfg = withDefaults(cfg)
	tmp, err := os.MkdirTemp("", "spyscan-*")
	if err != nil {
		return nil, fmt.Errorf("private temp folder: %w", err)
	}
	defer output.RemoveAll(tmp) // retried: a module left behind by an interruption may still write
	if err := os.Chmod(tmp, 0o700); err != nil {
		return nil, fmt.Errorf("private temp folder: %w", err)
	}
	cfg.Options.TempDir = tmp

	ins, err := openAll(ctx, cfg)
	defer closeAll(ins, cfg.Log)
	if err != nil {
		return nil, err
	}
	spool, err := output.NewSpool("")
	if err != nil {
		return nil, err
	}
	res, err := runAll(ctx, cfg, ins, spool)
	if err != nil {
		spool.Close()
		return nil, err
	}
	return res, nil
}

func withDefaults(cfg Config) Config {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Openers == nil {
		cfg.Openers = Openers()
	}
	if cfg.Modules == nil {
		cfg.Modules = Modules()
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = runtime.GOMAXPROCS(0)
	}
	if cfg.Progress == nil {
		cfg.Progress = noProgress{}
	}
	return cfg
}

func openAll(ctx context.Context, cfg Config) ([]*opened, error) {
	var ins []*opened
	var needPassword error // the first input that asked for a password nobody gave
	paths := expandFolders(ctx, cfg.Openers, cfg.Inputs, cfg.Log)
	shown := map[string]string{} // inputs unpacked from a zip → the name a person reads
	// paths grows with the inputs found beside a folder acquisition or in a zip
	for i := 0; i < len(paths); i++ {
		p := paths[i]
		in := &opened{idx: i, path: p, input: model.Input{Path: cmp.Or(shown[p], p)}}
		ins = append(ins, in)
		acq, err := Open(ctx, cfg.Openers, p, shownOptions(cfg.Options, p, in.input.Path))
		if err != nil && isUnrecognised(err) {
			u, ok, uerr := unpackArchive(ctx, cfg.Openers, p, cfg.Options.TempDir, i)
			if ok {
				cfg.Log.Info(fmt.Sprintf("%s is a zip of acquisitions: %s in it scanned", in.input.Path, plural(len(u.inputs), "input", "inputs")), "archive", in.input.Path)
				in.input.Kind = string(acquisition.Archive)
				in.input.Problems = skippedProblems(in.input.Path, u.skipped)
				for real, name := range u.shown {
					shown[real] = name
				}
				paths = append(paths, u.inputs...)
				continue
			}
			if uerr != nil {
				err = uerr
			}
		}
		if err != nil {
			err = shownError(err, p, in.input.Path)
			if abortsScan(err, len(paths)) {
				return ins, err
			}
			if needPassword == nil && errors.Is(err, acquisition.ErrNeedPassword) {
				needPassword = err
			}
			cfg.Log.Error("input not read", "err", err)
			in.input.Error, in.input.ErrorKind = err.Error(), model.KindOf(err)
			continue
		}
		acq.Path = in.input.Path
		in.acq = acq
		var more []string
		more, acq.Problems = besideInputs(ctx, cfg.Openers, p, acq.Beside, paths, acq.Problems)
		paths = append(paths, more...)
		for _, pb := range acq.Problems {
			cfg.Log.Warn("part of the input not read", "input", p, "err", pb.Cause)
		}
		in.input.Problems = acq.Problems
		in.input.Kind = string(acq.Kind)
		in.input.Meta = acq.Meta
		if acq.TZ == "" && cfg.Options.DeviceTZ != "" {
			acq.TZ = cfg.Options.DeviceTZ // the user's word when the input has none
			if acq.Meta == nil {
				acq.Meta = map[string]string{}
			}
			acq.Meta["timezone_source"] = "--timezone"
		}
		in.input.TZ = acq.TZ
	}
	if needPassword != nil && !slices.ContainsFunc(ins, func(in *opened) bool { return in.acq != nil }) {
		return ins, needPassword // nothing else to scan: ask again, as for a single input
	}
	return ins, nil
}

// besideInputs sorts the entries found beside the folder acquisition dir
// (Acquisition.Beside): those that are inputs of their own, and not
// already among paths, are returned to be scanned as separate inputs; the
// others are added to problems as not read.
func besideInputs(ctx context.Context, openers []acquisition.Opener, dir string, beside, paths []string, problems []model.Problem) ([]string, []model.Problem) {
	var more []string
	for _, name := range beside {
		e := filepath.Join(dir, name)
		if _, ok := detect(ctx, openers, e); ok {
			if !slices.Contains(paths, e) {
				more = append(more, e)
			}
			continue
		}
		problems = append(problems, model.ProblemOf(name, fmt.Errorf("%s: %w", name, acquisition.ErrBeside)))
	}
	return more, problems
}

// abortsScan: any failure stops a single-input scan, and a wrong password
// stops any scan (nothing is written: the person who typed it gives the
// right one and scans again). A missing password does not: an encrypted
// input among others (a backup folder of backup.ab files, one encrypted) is
// listed as not read, with how to give its password, and the others are
// scanned; the verdict cannot then be "clean". openAll stops the scan for
// it when no input could be opened at all.
func abortsScan(err error, inputs int) bool {
	return inputs == 1 || errors.Is(err, acquisition.ErrWrongPassword)
}

func closeAll(ins []*opened, log *slog.Logger) {
	for _, in := range ins {
		if in.acq != nil && in.acq.Close != nil {
			if err := in.acq.Close(); err != nil {
				log.Warn("closing input", "path", in.path, "err", err)
			}
		}
	}
}

// Open detects and opens one input with the first opener that recognises it.
func Open(ctx context.Context, openers []acquisition.Opener, path string, opt acquisition.Options) (*acquisition.Acquisition, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !st.Mode().IsRegular() && !st.IsDir() { // a FIFO would block every opener's Detect
		return nil, fmt.Errorf("%s: %w", path, acquisition.ErrSpecialFile)
	}
	for _, o := range openers {
		kind, ok := o.Detect(ctx, path)
		if !ok {
			continue
		}
		acq, err := o.Open(ctx, path, kind, opt)
		if err != nil {
			return nil, err
		}
		acq.Path, acq.Kind = path, kind
		return acq, nil
	}
	if err := archiveProblem(ctx, path); err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("%w: %s (looks like %s)", acquisition.ErrUnrecognised, path, Sniff(path))
}

// archiveProblem says why a zip or gzip no opener recognised cannot be
// read: openers detect archives by their entries, so a truncated, unsafe or
// bomb archive is unrecognised by all of them, and "unknown layout" would
// hide the cause.
func archiveProblem(ctx context.Context, path string) error {
	switch Sniff(path) {
	case zipDesc:
		z, err := safearchive.Open(path, safearchive.DefaultLimits)
		if err != nil {
			return err
		}
		return z.Close()
	case gzipDesc:
		return gzipProblem(ctx, path)
	}
	return nil
}

// gzipProbe bounds what gzipProblem inflates (the failure path only).
const gzipProbe = 256 << 20

func gzipProblem(ctx context.Context, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	m := safearchive.NewMeter(ctx, path, safearchive.DefaultLimits)
	zr, err := gzip.NewReader(m.Source(f))
	if err == nil {
		_, err = io.Copy(io.Discard, io.LimitReader(m.Reader(zr), gzipProbe))
	}
	if errors.Is(err, acquisition.ErrUnsafeArchive) || ctx.Err() != nil {
		return err
	}
	if err != nil {
		return fmt.Errorf("%s: %w: %w", path, acquisition.ErrCorrupt, err)
	}
	return nil
}

type job struct {
	in  *opened
	mod module.Module
	pos int
}

func runAll(ctx context.Context, cfg Config, ins []*opened, spool *output.Spool) (*Result, error) {
	var jobs []job
	for _, in := range ins {
		if in.acq == nil {
			continue
		}
		for _, m := range cfg.Modules {
			if m.Applies(in.acq.Kind) {
				jobs = append(jobs, job{in: in, mod: m, pos: len(jobs)})
			}
		}
	}
	if err := makeModuleDirs(cfg.OutDir, jobs); err != nil {
		return nil, err
	}
	results := make([]model.ModuleResult, len(jobs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(cfg.Concurrency + 1)
	cfg.Progress.Plan(len(jobs))
	done := make(chan error, 1)
	shareDigests(ins)
	go func() {
		g.Go(func() error { return hashInputs(gctx, ins, cfg.Progress, spool) })
		for _, j := range jobs {
			g.Go(func() error {
				res, err := runModule(gctx, cfg, j, spool, len(ins) > 1)
				results[j.pos] = res
				return err
			})
		}
		err := g.Wait()
		if err == nil {
			err = finishDigests(ctx, ins, cfg.Progress)
		}
		done <- err
	}()
	if err := waitOrAbandon(ctx, done); err != nil {
		return nil, err
	}
	return assemble(cfg, ins, jobs, results, spool), nil
}

// makeModuleDirs makes the module folder of each input that has a module
// to run, once, in result folder out ("": none, records stay in memory).
func makeModuleDirs(out string, jobs []job) error {
	if out == "" {
		return nil
	}
	made := -1
	for _, j := range jobs { // an input's jobs are consecutive
		if j.in.idx == made {
			continue
		}
		if err := output.MakeModuleDir(out, j.in.idx); err != nil {
			return err
		}
		made = j.in.idx
	}
	return nil
}

// abandonAfter is how long an interrupted scan waits for its modules to
// notice; a module still parsing is then left behind (the process is
// about to exit), so that an interruption takes effect within a second.
const abandonAfter = 300 * time.Millisecond

// waitOrAbandon waits for done, or for ctx to end plus abandonAfter.
func waitOrAbandon(ctx context.Context, done <-chan error) error {
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	select {
	case err := <-done:
		if err == nil {
			err = ctx.Err()
		}
		return err
	case <-time.After(abandonAfter):
		return ctx.Err()
	}
}

// runModule runs one module, streaming its timeline events and observables
// to the spool, and its records to the result folder when OutDir is set.
// A panic inside the module becomes a failed status.
func runModule(ctx context.Context, cfg Config, j job, spool *output.Spool, multi bool) (res model.ModuleResult, err error) {
	name := j.mod.Name()
	input := ""
	if multi {
		input = j.in.input.Path
	}
	sinks := spool.Sinks(name, input)
	var mw *output.ModuleWriter
	if cfg.OutDir != "" {
		mw = output.ModuleWriterIn(cfg.OutDir, j.in.idx, name, j.mod.Version()) // its folder made by makeModuleDirs
		sinks.Records = mw.Record
	}
	rec := module.NewStreamingRecorder(name, cfg.Index, sinks)
	log := cfg.Log.With("module", name, "input", j.in.input.Path)
	cfg.Progress.ModuleStarted(j.in.input.Path, name)
	start := time.Now()
	runErr := safeRun(ctx, j.mod, &module.Input{Acq: j.in.acq, Index: cfg.Index, TempDir: cfg.Options.TempDir, Log: log}, rec)
	cfg.Progress.ModuleDone(j.in.input.Path, name)
	rec.Flush()
	res = rec.Result()
	res.Input = j.in.input.Path
	res.Status, res.ReasonMsg = status(res, runErr)
	res.Reason = i18n.English(res.ReasonMsg)
	if res.Status == model.StatusFailed {
		res.FailKind = model.KindOf(runErr)
	}
	if ctx.Err() != nil {
		return res, ctx.Err()
	}
	log.Debug("module done", "status", res.Status, "records", res.Seen, "alerts", len(res.Alerts), "took", time.Since(start))
	logFileErrors(ctx, log, res.Errors)
	if mw != nil {
		if err := mw.Finish(res); err != nil {
			return res, err
		}
	}
	return res, nil
}

// logFileErrors tells each file a module could not read; missing files
// (an incomplete backup misses thousands) are told once per module, with
// their count and the first of them, and each at debug level.
func logFileErrors(ctx context.Context, log *slog.Logger, errs []model.FileError) {
	var missing []model.FileError
	for _, e := range errs {
		if e.Kind == model.KindMissing {
			missing = append(missing, e)
			log.Debug("file missing", "path", e.Path, "err", e.Error)
			continue
		}
		log.Warn("could not read a file", "path", e.Path, "kind", e.Kind, "err", e.Error)
	}
	switch len(missing) {
	case 0:
	case 1:
		log.Warn("a file is missing", "path", missing[0].Path, "err", missing[0].Error)
	default:
		log.Warn(fmt.Sprintf("%d files are missing, the first", len(missing)), "path", missing[0].Path, "err", missing[0].Error)
	}
}

func safeRun(ctx context.Context, m module.Module, in *module.Input, rec *module.Recorder) (err error) {
	defer func() {
		if r := recover(); r != nil {
			in.Log.Debug("module panic", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("%w %s: %v", errModulePanic, m.Name(), r)
		}
	}()
	return m.Run(ctx, in, rec)
}

func status(res model.ModuleResult, err error) (model.Status, i18n.Msg) {
	switch {
	case errors.Is(err, module.ErrNotFound):
		return model.StatusEmpty, i18n.M("status.reason.not_present")
	case err != nil:
		return model.StatusFailed, i18n.M("literal", "text", err.Error())
	case len(res.Errors) > 0:
		return model.StatusPartial, i18n.Msg{}
	default:
		return model.StatusOK, i18n.Msg{}
	}
}

// assemble merges module results into one report, in a fixed order; the
// timeline and the observables are the spool's, merged from disk.
func assemble(cfg Config, ins []*opened, jobs []job, results []model.ModuleResult, spool *output.Spool) *Result {
	r := &model.Report{Info: cfg.Info, Timeline: spool.Timeline()}
	r.Info.GeneratedAt = cfg.Now().UTC()
	r.Info.IndicatorCount = 0 // the index matched against is the truth: none means nothing could be detected
	if cfg.Index != nil {
		r.Info.IndicatorCount = cfg.Index.Len()
	}
	multi := len(ins) > 1
	for _, in := range ins {
		r.Info.Inputs = append(r.Info.Inputs, in.input)
	}
	for i, res := range results {
		in := jobs[i].in
		for k := range res.Alerts {
			if multi {
				res.Alerts[k].Input = in.input.Path
			}
			r.Alerts = append(r.Alerts, res.Alerts[k])
		}
		if r.Info.ModuleVersions == nil {
			r.Info.ModuleVersions = map[string]int{}
		}
		r.Info.ModuleVersions[res.Module] = jobs[i].mod.Version()
		if cfg.OutDir != "" {
			res.Records = nil
		}
		r.Modules = append(r.Modules, res)
	}
	model.SortAlerts(r.Alerts)
	r.Verdict, r.Info.SelfTest.Problems = selftest.Decide(r)
	return &Result{Report: r, Observables: spool.Observables(), spool: spool}
}
