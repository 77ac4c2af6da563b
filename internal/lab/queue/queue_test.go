package queue

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/lab/iocset"
	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
)

var bg = context.Background()

// demo is a capture of the repository's demo case; coazoa.com is one of
// the names it resolves.
func demo(t *testing.T) string {
	p, err := filepath.Abs("../../../demo/capture.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// blocker is a module that runs until its scan is cancelled.
type blocker struct {
	module.Base
	started chan struct{}
}

func (b *blocker) Run(ctx context.Context, _ *module.Input, _ *module.Recorder) error {
	close(b.started)
	<-ctx.Done()
	return ctx.Err()
}

type fixture struct {
	s    *store.Store
	ind  *iocset.Holder
	user *store.User
	c    *store.Case
	acq  *store.Acquisition
	dir  string
}

func setup(t *testing.T, db *labtest.DB) *fixture {
	f := &fixture{s: db.Open(t), dir: db.DataDir}
	iocs := filepath.Join(t.TempDir(), "pegasus.stix2")
	os.WriteFile(iocs, labtest.Bundle("Pegasus", "coazoa.com"), 0o644)
	var err error
	f.ind, err = iocset.New(bg, iocset.Options{CacheDir: t.TempDir(), AddedDir: t.TempDir(), Paths: []string{iocs}, NoEmbedded: true})
	if err != nil {
		t.Fatal(err)
	}
	f.user, _ = f.s.CreateUser(bg, "ana", "x", store.Analyst, false)
	f.c, _ = f.s.CreateCase(bg, "Journalist A", "", f.user.ID)
	f.acq, err = f.s.AddAcquisition(bg, store.Acquisition{CaseID: f.c.ID, Name: "capture.pcapng", Origin: store.ServerPath,
		Path: demo(t), Kind: string(acquisition.PCAP), AddedBy: f.user.ID})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) queue(mods []module.Module, onDone func(context.Context, *store.Scan)) *Queue {
	return New(Config{Store: f.s, Indicators: f.ind, ResultsDir: filepath.Join(f.dir, "results"), Workers: 1, Version: "test",
		Lang: "en", Modules: mods, OnDone: onDone, Poll: 50 * time.Millisecond})
}

// waitState waits until the scan reaches one of the states.
func waitState(t *testing.T, s *store.Store, id int64, states ...store.ScanState) *store.Scan {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		sc, err := s.Scan(bg, id)
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range states {
			if sc.State == st {
				return sc
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("scan %d did not reach %v", id, states)
	return nil
}

func TestScanRunsInTheBackground(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		f := setup(t, db)
		done := make(chan int64, 1)
		q := f.queue(nil, func(_ context.Context, sc *store.Scan) { done <- sc.ID })
		ctx, cancel := context.WithCancel(bg)
		defer func() { cancel(); q.Wait() }()
		q.Start(ctx)
		sc, err := q.Enqueue(ctx, f.c.ID, []int64{f.acq.ID}, f.user.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		got := waitState(t, f.s, sc.ID, store.Done, store.Failed)
		if got.State != store.Done || got.Verdict != model.VerdictDetected || got.IndicatorDigest != f.ind.Current().Digest ||
			got.ProgressDone == 0 || got.ProgressDone != got.ProgressTotal || got.ToolVersion != "test" {
			t.Fatalf("finished scan %+v", got)
		}
		select { // OnDone runs just after the scan is stored as done
		case id := <-done:
			if id != sc.ID {
				t.Errorf("OnDone called for scan %d", id)
			}
		case <-time.After(time.Minute):
			t.Error("OnDone was not called")
		}
		// The result folder is a scan's folder; the store holds its alerts
		// and observables as the loader reads them.
		rep, obs, err := output.Load(got.ResultDir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(got.ResultDir, output.ReportHTML)); err != nil {
			t.Error(err)
		}
		alerts, _ := f.s.ScanAlerts(bg, sc.ID)
		if len(alerts) != len(rep.Alerts) || len(alerts) == 0 {
			t.Errorf("%d alerts stored, %d in the folder", len(alerts), len(rep.Alerts))
		}
		hit := false
		for _, a := range alerts {
			hit = hit || a.Alert.Match != nil && a.Alert.Match.Indicator == "coazoa.com"
		}
		if !hit {
			t.Error("the coazoa.com hit is not stored")
		}
		rows, _, _ := f.s.ObservableCounts(bg, []int64{sc.ID})
		if int(rows) != len(obs) || rows == 0 {
			t.Errorf("%d observables stored, %d in the folder", rows, len(obs))
		}
		if !strings.HasPrefix(got.ResultDir, filepath.Join(f.dir, "results")) {
			t.Errorf("result folder %s outside the data folder", got.ResultDir)
		}
	})
}

func TestFailureAndRetry(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		f := setup(t, db)
		missing, _ := f.s.AddAcquisition(bg, store.Acquisition{CaseID: f.c.ID, Name: "gone", Origin: store.ServerPath,
			Path: filepath.Join(t.TempDir(), "gone.pcap"), Kind: "pcap"})
		q := f.queue(nil, nil)
		ctx, cancel := context.WithCancel(bg)
		defer func() { cancel(); q.Wait() }()
		q.Start(ctx)
		sc, _ := q.Enqueue(ctx, f.c.ID, []int64{missing.ID}, f.user.ID, "")
		got := waitState(t, f.s, sc.ID, store.Done, store.Failed)
		if got.State != store.Failed || !strings.Contains(got.Error, "gone.pcap") {
			t.Fatalf("scan of a missing input: %+v", got)
		}
		if _, err := os.Stat(filepath.Join(f.dir, "results", "case-1", "scan-1-1")); !os.IsNotExist(err) {
			t.Errorf("a failed scan left its folder: %v", err)
		}
		if err := q.Retry(ctx, sc.ID, ""); err != nil {
			t.Fatal(err)
		}
		got = waitState(t, f.s, sc.ID, store.Failed)
		if got.Attempts != 2 {
			t.Errorf("attempts %d after a retry", got.Attempts)
		}
	})
}

// TestRestartRecovery: a scan running when the server stops is marked
// interrupted (on a clean stop by the queue, after a crash at the next
// start), queued scans wait for the next server, and both finish there.
func TestRestartRecovery(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		f := setup(t, db)
		b := &blocker{Base: module.NewBase("block", 1, module.AppliesFunc(func(acquisition.Kind) bool { return true })), started: make(chan struct{})}
		q := f.queue([]module.Module{b}, nil)
		ctx, cancel := context.WithCancel(bg)
		q.Start(ctx)
		first, _ := q.Enqueue(ctx, f.c.ID, []int64{f.acq.ID}, f.user.ID, "")
		second, _ := q.Enqueue(ctx, f.c.ID, []int64{f.acq.ID}, f.user.ID, "")
		select {
		case <-b.started:
		case <-time.After(time.Minute):
			t.Fatal("the scan did not start")
		}
		if p, ok := q.Progress(first.ID); !ok || p.Total != 1 || len(p.Running) != 1 || p.Running[0] != "block" {
			t.Errorf("progress of the running scan: %+v, %v", p, ok)
		}
		cancel() // the server stops
		q.Wait()
		if sc, _ := f.s.Scan(bg, first.ID); sc.State != store.Interrupted || !strings.Contains(sc.Error, "interrupted") {
			t.Errorf("running scan after a stop: %+v", sc)
		}
		if sc, _ := f.s.Scan(bg, second.ID); sc.State != store.Queued {
			t.Errorf("queued scan after a stop: %s", sc.State)
		}

		// A crash: the store still says running.
		third, _ := f.s.QueueScan(bg, f.c.ID, []int64{f.acq.ID}, f.user.ID, 0)
		f.s.ClaimNext(bg) // the second scan, claimed by the crashed server
		f.s.Close()
		f.s = db.Open(t)
		q = f.queue(nil, nil)
		ids, err := q.Recover(bg)
		if err != nil || len(ids) != 1 || ids[0] != second.ID {
			t.Fatalf("recovered %v, %v; want scan %d", ids, err, second.ID)
		}
		ctx, cancel = context.WithCancel(bg)
		defer func() { cancel(); q.Wait() }()
		q.Start(ctx)
		if got := waitState(t, f.s, third.ID, store.Done, store.Failed); got.State != store.Done {
			t.Errorf("the queued scan after the restart: %+v", got)
		}
		for _, id := range []int64{first.ID, second.ID} {
			if err := q.Retry(ctx, id, ""); err != nil {
				t.Fatal(err)
			}
			if got := waitState(t, f.s, id, store.Done, store.Failed); got.State != store.Done || got.Attempts != 2 {
				t.Errorf("retried scan %+v", got)
			}
		}
	})
}

func TestCancel(t *testing.T) {
	db := &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()}
	f := setup(t, db)
	b := &blocker{Base: module.NewBase("block", 1, module.AppliesFunc(func(acquisition.Kind) bool { return true })), started: make(chan struct{})}
	q := f.queue([]module.Module{b}, nil)
	ctx, cancel := context.WithCancel(bg)
	defer func() { cancel(); q.Wait() }()
	q.Start(ctx)
	sc, _ := q.Enqueue(ctx, f.c.ID, []int64{f.acq.ID}, f.user.ID, "")
	<-b.started
	if !q.Cancel(sc.ID) {
		t.Fatal("Cancel found no running scan")
	}
	if got := waitState(t, f.s, sc.ID, store.Interrupted, store.Failed, store.Done); got.State != store.Interrupted {
		t.Errorf("cancelled scan %+v", got)
	}
	if q.Cancel(sc.ID) {
		t.Error("Cancel of a finished scan")
	}
}
