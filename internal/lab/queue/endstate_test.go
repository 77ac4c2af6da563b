package queue

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
)

// faultyStore is the store with faults put in front of the writes of a
// scan's end state: finish runs instead of the first FinishScan (nil:
// no fault), failFails makes that many FailScan calls fail first;
// failed gets each FailScan's outcome.
type faultyStore struct {
	*store.Store
	finish    func(ctx context.Context) error
	failFails int
	failCalls int
	failed    chan error
}

var errDiskFull = errors.New("disk full (injected)")

func (f *faultyStore) FinishScan(ctx context.Context, id int64, o store.Outcome) error {
	if f.finish != nil {
		return f.finish(ctx)
	}
	return f.Store.FinishScan(ctx, id, o)
}

func (f *faultyStore) FailScan(ctx context.Context, id int64, state store.ScanState, reason string) error {
	f.failCalls++
	err := errDiskFull
	if f.failCalls > f.failFails {
		err = f.Store.FailScan(ctx, id, state, reason)
	}
	f.failed <- err
	return err
}

// TestEndStateIsAlwaysWritten: whatever goes wrong while a finished
// scan's results are stored, the scan does not stay "running": a storing
// error marks it failed with the cause; the server stopping during the
// write marks it interrupted (written under a context of its own, since
// the one that ran the scan has ended); and when even that write fails,
// the next server's start marks it interrupted. Each can be retried.
func TestEndStateIsAlwaysWritten(t *testing.T) {
	cases := []struct {
		name string
		// stopping: the queue's context is cancelled while FinishScan runs.
		stopping  bool
		failFails int
		want      store.ScanState
		wantErr   string
	}{
		{name: "storing fails", want: store.Failed, wantErr: "storing the results: " + errDiskFull.Error()},
		{name: "server stops while storing", stopping: true, want: store.Interrupted,
			wantErr: "interrupted while storing the results: " + context.Canceled.Error()},
		{name: "the failure cannot be written either", failFails: 1, want: store.Running},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
				f := setup(t, db)
				ctx, cancel := context.WithCancel(bg)
				defer cancel()
				entered := make(chan struct{})
				fs := &faultyStore{Store: f.s, failFails: tc.failFails, failed: make(chan error, 1), finish: func(wctx context.Context) error {
					close(entered)
					if tc.stopping {
						<-wctx.Done() // the write is under way when the server stops
						return wctx.Err()
					}
					return errDiskFull
				}}
				q := New(Config{Store: fs, Indicators: f.ind, ResultsDir: filepath.Join(f.dir, "results"), Workers: 1,
					Version: "test", Lang: "en", Poll: 50 * time.Millisecond})
				q.Start(ctx)
				sc, err := q.Enqueue(ctx, f.c.ID, []int64{f.acq.ID}, f.user.ID, "")
				if err != nil {
					t.Fatal(err)
				}
				select {
				case <-entered:
				case <-time.After(2 * time.Minute):
					t.Fatal("the scan's results were never stored")
				}
				if tc.stopping {
					cancel()
				}
				select { // the end state's write, done or failed
				case <-fs.failed:
				case <-time.After(2 * time.Minute):
					t.Fatal("no end state was written")
				}
				cancel()
				q.Wait()
				got, err := f.s.Scan(bg, sc.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.State != tc.want || got.Error != tc.wantErr {
					t.Fatalf("scan ended %s (%q), want %s (%q)", got.State, got.Error, tc.want, tc.wantErr)
				}
				if tc.want == store.Running {
					// The next server's start finds it.
					next := New(Config{Store: f.s, Indicators: f.ind, Workers: 1, Version: "test", Lang: "en"})
					ids, err := next.Recover(bg)
					if err != nil || !slices.Contains(ids, sc.ID) {
						t.Fatalf("recovery: %v %v, want scan %d", ids, err, sc.ID)
					}
					if got, _ = f.s.Scan(bg, sc.ID); got.State != store.Interrupted || !strings.Contains(got.Error, "server stopped") {
						t.Fatalf("after recovery: %s %q", got.State, got.Error)
					}
				}
				if err := f.s.Retry(bg, sc.ID); err != nil {
					t.Errorf("retry of a scan ended %s: %v", got.State, err)
				}
			})
		})
	}
}
