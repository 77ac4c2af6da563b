// Package queue runs the lab's scans in the background: a bounded number
// of workers (one per core by default) take queued scans from the store
// (whose scans table is the queue, so queued and finished work survives a
// restart), run each through scanjob exactly as `spyscan scan` would,
// write its result folder in the data folder, and store its verdict,
// alerts and observables, read back through internal/output's loader.
// Progress is kept in memory and in the store; a scan that fails is marked
// failed, one stopped by a shutdown is marked interrupted, and both can be
// queued again.
package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/lab/iocset"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
	"github.com/spyscan/spyscan/internal/scanjob"
)

// Store is what the queue needs of the lab's store (*store.Store is one);
// tests put faults in front of it.
type Store interface {
	QueueScan(ctx context.Context, caseID int64, acqs []int64, by int64, max int) (*store.Scan, error)
	Retry(ctx context.Context, id int64) error
	InterruptRunning(ctx context.Context) ([]int64, error)
	ClaimNext(ctx context.Context) (*store.Scan, error)
	SetProgress(ctx context.Context, id int64, done, total int) error
	FinishScan(ctx context.Context, id int64, o store.Outcome) error
	FailScan(ctx context.Context, id int64, state store.ScanState, reason string) error
	Scan(ctx context.Context, id int64) (*store.Scan, error)
	Case(ctx context.Context, id int64) (*store.Case, error)
	Acquisition(ctx context.Context, id int64) (*store.Acquisition, error)
}

// Config sets up a queue.
type Config struct {
	Store      Store
	Indicators *iocset.Holder
	ResultsDir string // result folders go to ResultsDir/case-<id>/scan-<id>-<attempt>
	Workers    int    // scans at once; 0: one per core
	MaxQueued  int    // scans waiting at most; 0: 100
	Version    string // tool version written into info.json
	Lang       string // of report.html in the result folders
	Log        *slog.Logger
	// OnDone is called after a scan is stored as done (retro-hunt uses it
	// to catch up a scan that ran with older indicators).
	OnDone func(ctx context.Context, sc *store.Scan)
	// Modules replaces the module list (tests); nil means every module.
	Modules []module.Module
	// Poll is how often idle workers look at the store for scans queued
	// by another process; 0: 5 s.
	Poll time.Duration
	// Worker is the command that runs one scan in a process of lower
	// priority (worker.go): this program again (os.Executable), whose
	// main calls WorkerMain when IsWorker. Empty: scans run in this
	// process (Modules applies only then).
	Worker []string
}

// Progress is a running scan's progress.
type Progress struct {
	Done, Total int
	Running     []string // modules running now
	Files       int
	Bytes       int64
}

// Queue runs scans.
type Queue struct {
	cfg  Config
	wake chan struct{}

	mu       sync.Mutex
	progress map[int64]*tracker
	secrets  map[int64]string // passwords of encrypted inputs, in memory only
	cancels  map[int64]context.CancelFunc
	wg       sync.WaitGroup

	workerLowered atomic.Bool // the last worker process lowered its priority
}

// New returns a queue; Start runs its workers.
func New(cfg Config) *Queue {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = 100
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 5 * time.Second
	}
	return &Queue{cfg: cfg, wake: make(chan struct{}, 1), progress: map[int64]*tracker{},
		secrets: map[int64]string{}, cancels: map[int64]context.CancelFunc{}}
}

// WorkerLowered reports whether the last scan worker process ran at a
// lower priority than the server.
func (q *Queue) WorkerLowered() bool { return q.workerLowered.Load() }

// Workers is the number of scans run at once.
func (q *Queue) Workers() int { return q.cfg.Workers }

// Recover marks interrupted the scans a previous server left running. Call
// it once, before Start.
func (q *Queue) Recover(ctx context.Context) ([]int64, error) {
	return q.cfg.Store.InterruptRunning(ctx)
}

// Start runs the workers until ctx ends; Wait waits for them.
func (q *Queue) Start(ctx context.Context) {
	for range q.cfg.Workers {
		q.wg.Add(1)
		go func() {
			defer q.wg.Done()
			q.work(ctx)
		}()
	}
}

// Wait waits for the workers to stop after their context ended.
func (q *Queue) Wait() { q.wg.Wait() }

// Enqueue queues a scan of some acquisitions of a case. password (may be
// empty) opens encrypted inputs; it is kept in memory only, until the scan
// starts: after a restart such a scan fails asking for it again.
func (q *Queue) Enqueue(ctx context.Context, caseID int64, acqs []int64, by int64, password string) (*store.Scan, error) {
	sc, err := q.cfg.Store.QueueScan(ctx, caseID, acqs, by, q.cfg.MaxQueued)
	if err != nil {
		return nil, err
	}
	if password != "" {
		q.mu.Lock()
		q.secrets[sc.ID] = password
		q.mu.Unlock()
	}
	q.poke()
	return sc, nil
}

// Retry queues a failed or interrupted scan again.
func (q *Queue) Retry(ctx context.Context, id int64, password string) error {
	if err := q.cfg.Store.Retry(ctx, id); err != nil {
		return err
	}
	if password != "" {
		q.mu.Lock()
		q.secrets[id] = password
		q.mu.Unlock()
	}
	q.poke()
	return nil
}

// Cancel stops a running scan; it ends as interrupted.
func (q *Queue) Cancel(id int64) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	c := q.cancels[id]
	if c != nil {
		c()
	}
	return c != nil
}

func (q *Queue) poke() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Progress returns a running scan's progress (false when it is not
// running in this server).
func (q *Queue) Progress(id int64) (Progress, bool) {
	q.mu.Lock()
	t := q.progress[id]
	q.mu.Unlock()
	if t == nil {
		return Progress{}, false
	}
	return t.snapshot(), true
}

func (q *Queue) work(ctx context.Context) {
	t := time.NewTicker(q.cfg.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		sc, err := q.cfg.Store.ClaimNext(ctx)
		switch {
		case err == nil:
			q.run(ctx, sc)
			q.poke() // another worker may be waiting for the next one
			continue
		case !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil:
			q.cfg.Log.Error("scan queue", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-q.wake:
		case <-t.C:
		}
	}
}

// run runs one claimed scan to its end state.
func (q *Queue) run(ctx context.Context, sc *store.Scan) {
	log := q.cfg.Log.With("scan", sc.ID, "case", sc.CaseID)
	sctx, cancel := context.WithCancel(ctx)
	tr := &tracker{q: q, id: sc.ID}
	q.mu.Lock()
	password := q.secrets[sc.ID]
	delete(q.secrets, sc.ID)
	q.cancels[sc.ID] = cancel
	q.progress[sc.ID] = tr
	q.mu.Unlock()
	defer func() {
		cancel()
		q.mu.Lock()
		delete(q.cancels, sc.ID)
		delete(q.progress, sc.ID)
		q.mu.Unlock()
	}()
	log.Info("scan started", "attempt", sc.Attempts)
	out, err := q.scan(sctx, sc, password, tr, log)
	switch {
	case err == nil:
		// Storing the results takes as long as the scan has observables
		// (millions for a large backup): no deadline but the server's.
		t0 := time.Now()
		if err = q.cfg.Store.FinishScan(ctx, sc.ID, *out); err == nil {
			log.Info("scan done", "verdict", out.Verdict, "alerts", len(out.Alerts), "observables", len(out.Observables),
				"stored_in", time.Since(t0).Round(time.Millisecond))
			if q.cfg.OnDone != nil {
				wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
				defer wcancel()
				if done, err := q.cfg.Store.Scan(wctx, sc.ID); err == nil {
					q.cfg.OnDone(wctx, done)
				}
			}
			return
		}
		if ctx.Err() != nil {
			log.Warn("server stopping while storing the scan's results", "err", err)
			q.fail(ctx, sc.ID, store.Interrupted, "interrupted while storing the results: "+err.Error())
			return
		}
		log.Error("storing the scan's results", "err", err)
		q.fail(ctx, sc.ID, store.Failed, "storing the results: "+err.Error())
	case sctx.Err() != nil:
		log.Warn("scan interrupted", "err", err)
		q.fail(ctx, sc.ID, store.Interrupted, "interrupted: "+err.Error())
	default:
		log.Warn("scan failed", "err", err)
		q.fail(ctx, sc.ID, store.Failed, err.Error())
	}
}

// fail records a scan's end state of failure. The write has a context of
// its own (a few seconds, whether or not the server is stopping), so that
// a scan never stays "running" because the context that ran it ended; a
// scan whose failure could not be written either is marked interrupted by
// the next server's start.
func (q *Queue) fail(ctx context.Context, id int64, state store.ScanState, why string) {
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := q.cfg.Store.FailScan(wctx, id, state, why); err != nil {
		q.cfg.Log.Error("recording a failed scan", "scan", id, "err", err)
	}
}

// scan runs the scan and reads its result folder back.
func (q *Queue) scan(ctx context.Context, sc *store.Scan, password string, tr *tracker, log *slog.Logger) (*store.Outcome, error) {
	c, err := q.cfg.Store.Case(ctx, sc.CaseID)
	if err != nil {
		return nil, err
	}
	var inputs []string
	for _, id := range sc.Inputs {
		a, err := q.cfg.Store.Acquisition(ctx, id)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, a.Path)
	}
	dir := filepath.Join(q.cfg.ResultsDir, fmt.Sprintf("case-%d", sc.CaseID), fmt.Sprintf("scan-%d-%d", sc.ID, sc.Attempts))
	os.RemoveAll(dir) // a folder left by a crash during the same attempt
	if err := output.MkdirPrivate(dir); err != nil {
		return nil, err
	}
	ind := q.cfg.Indicators.Current()
	cmdline := []string{"serve", fmt.Sprintf("scan #%d of case #%d", sc.ID, sc.CaseID)}
	conc := max(1, runtime.NumCPU()/q.cfg.Workers)
	var verdict model.Verdict
	if len(q.cfg.Worker) > 0 {
		verdict, err = q.runWorker(ctx, workerJob{Inputs: inputs, OutDir: dir, Case: c.Name, Version: q.cfg.Version,
			CommandLine: cmdline, Lang: q.cfg.Lang, Concurrency: conc, Password: password,
			Indicators: q.cfg.Indicators.Sources(), Digest: ind.Digest}, tr, log)
	} else {
		opts := acquisition.Options{}
		if password != "" {
			opts.Password = func(context.Context, string) (string, error) { return password, nil }
		}
		var rep *model.Report
		rep, err = scanjob.Run(ctx, scanjob.Job{Inputs: inputs, OutDir: dir, Case: c.Name, Version: q.cfg.Version,
			CommandLine: cmdline, Set: ind.Set, Index: ind.Index, Lang: q.cfg.Lang, Concurrency: conc,
			Modules: q.cfg.Modules, Options: opts, Log: log, Progress: tr})
		if rep != nil {
			verdict = rep.Verdict
		}
	}
	if err != nil {
		return nil, err
	}
	stored, obs, err := output.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("reading back the results: %w", err)
	}
	return &store.Outcome{ToolVersion: q.cfg.Version, IndicatorDigest: ind.Digest, IndicatorDate: ind.Date,
		Verdict: verdict, ResultDir: dir, Alerts: stored.Alerts, Observables: obs}, nil
}

// tracker is a scan.Progress that keeps the numbers in memory and writes
// them to the store at most once a second (other pages read them there).
type tracker struct {
	q  *Queue
	id int64

	mu      sync.Mutex
	p       Progress
	running map[string]int
	saved   time.Time
}

func (t *tracker) Plan(n int) { t.update(func() { t.p.Total = n }) }

func (t *tracker) ModuleStarted(_, name string) {
	t.update(func() {
		if t.running == nil {
			t.running = map[string]int{}
		}
		t.running[name]++
	})
}

func (t *tracker) ModuleDone(_, name string) {
	t.update(func() {
		t.p.Done++
		if t.running[name]--; t.running[name] <= 0 {
			delete(t.running, name)
		}
	})
}

func (t *tracker) Files(n int)   { t.update(func() { t.p.Files += n }) }
func (t *tracker) Bytes(n int64) { t.update(func() { t.p.Bytes += n }) }

func (t *tracker) update(f func()) {
	t.mu.Lock()
	f()
	save := time.Since(t.saved) >= time.Second || t.p.Done == t.p.Total
	done, total := t.p.Done, t.p.Total
	if save {
		t.saved = time.Now()
	}
	t.mu.Unlock()
	if save {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		t.q.cfg.Store.SetProgress(ctx, t.id, done, total)
		cancel()
	}
}

func (t *tracker) snapshot() Progress {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.p
	p.Running = nil
	for n := range t.running {
		p.Running = append(p.Running, n)
	}
	slices.Sort(p.Running)
	return p
}
