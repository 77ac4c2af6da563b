package queue

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/model"
)

// TestMain lets this test binary be the scan worker process, as spyscan
// itself is for `spyscan serve`.
func TestMain(m *testing.M) {
	if IsWorker() {
		os.Exit(WorkerMain(context.Background(), os.Stdin, os.Stdout, nil))
	}
	if os.Getenv(niceCheckEnv) == "1" {
		os.Exit(niceCheck())
	}
	os.Exit(m.Run())
}

const niceCheckEnv = "SPYSCAN_QUEUE_TEST_NICE"

// niceCheck runs in a process of its own: it lowers its priority as a
// worker does, then starts more threads, and checks that every thread
// runs at the worker's nice value (on Linux each thread has its own).
func niceCheck() int {
	if err := lowerPriority(); err != nil {
		fmt.Println(err)
		return 1
	}
	release := make(chan struct{})
	var started sync.WaitGroup
	for range 4 { // goroutines locked to threads: the runtime starts threads for them
		started.Add(1)
		go func() {
			runtime.LockOSThread()
			started.Done()
			<-release
		}()
	}
	started.Wait()
	defer close(release)
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		fmt.Println(err)
		return 1
	}
	bad := 0
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc/self/task", e.Name(), "stat"))
		if err != nil {
			continue // the thread ended
		}
		st := string(b)
		f := strings.Fields(st[strings.LastIndexByte(st, ')')+2:])
		if len(f) < 17 || f[16] != strconv.Itoa(workerNice) {
			fmt.Printf("thread %s: nice %v\n", e.Name(), f[16:17])
			bad++
		}
	}
	fmt.Printf("%d threads\n", len(ents))
	return min(bad, 1)
}

// runOne runs one scan through a queue made with cfg changed by tweak and
// returns it at its end state.
func (f *fixture) runOne(t *testing.T, acq int64, tweak func(*Config)) (*store.Scan, *Queue) {
	t.Helper()
	cfg := Config{Store: f.s, Indicators: f.ind, ResultsDir: filepath.Join(f.dir, "results"), Workers: 1, Version: "test",
		Lang: "en", Poll: 50 * time.Millisecond}
	tweak(&cfg)
	q := New(cfg)
	ctx, cancel := context.WithCancel(bg)
	defer func() { cancel(); q.Wait() }()
	q.Start(ctx)
	sc, err := q.Enqueue(ctx, f.c.ID, []int64{acq}, f.user.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	return waitState(t, f.s, sc.ID, store.Done, store.Failed, store.Interrupted), q
}

// TestScanInWorkerProcess: a scan run by a worker process (lower
// priority) stores what the same scan run in the server's process
// stores: verdict, indicator digest, progress, alerts and observables;
// on Linux and the BSDs the worker did lower its priority. A worker's
// failure reaches the scan's error with the file it names.
func TestScanInWorkerProcess(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		f := setup(t, db)
		inWorker, q := f.runOne(t, f.acq.ID, func(c *Config) { c.Worker = []string{os.Args[0]} })
		inProcess, _ := f.runOne(t, f.acq.ID, func(*Config) {})
		switch runtime.GOOS {
		case "linux", "darwin", "freebsd", "netbsd", "openbsd", "dragonfly":
			if !q.WorkerLowered() {
				t.Error("the worker did not lower its priority")
			}
		}
		for _, sc := range []*store.Scan{inWorker, inProcess} {
			if sc.State != store.Done || sc.Verdict != model.VerdictDetected || sc.IndicatorDigest != f.ind.Current().Digest ||
				sc.ProgressDone == 0 || sc.ProgressDone != sc.ProgressTotal {
				t.Fatalf("scan %+v", sc)
			}
		}
		count := func(id int64) (alerts int, obs int64) {
			as, err := f.s.ScanAlerts(bg, id)
			if err != nil {
				t.Fatal(err)
			}
			n, _, err := f.s.ObservableCounts(bg, []int64{id})
			if err != nil {
				t.Fatal(err)
			}
			return len(as), n
		}
		wa, wo := count(inWorker.ID)
		pa, po := count(inProcess.ID)
		if wa == 0 || wa != pa || wo == 0 || wo != po || inWorker.ProgressTotal != inProcess.ProgressTotal {
			t.Errorf("worker: %d alerts, %d observables, %d modules; in process: %d, %d, %d", wa, wo, inWorker.ProgressTotal,
				pa, po, inProcess.ProgressTotal)
		}

		missing, _ := f.s.AddAcquisition(bg, store.Acquisition{CaseID: f.c.ID, Name: "gone", Origin: store.ServerPath,
			Path: filepath.Join(t.TempDir(), "gone.pcap"), Kind: "pcap"})
		failed, _ := f.runOne(t, missing.ID, func(c *Config) { c.Worker = []string{os.Args[0]} })
		if failed.State != store.Failed || !strings.Contains(failed.Error, "gone.pcap") {
			t.Errorf("worker scan of a missing input: %s %q", failed.State, failed.Error)
		}
	})
}

// TestWorkerLowersItsPriority: on Linux, where a nice value belongs to a
// thread, every thread of a worker process runs at the worker's nice
// value, those the Go runtime started before it was set and those it
// starts after (checked in a process of its own).
func TestWorkerLowersItsPriority(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("per-thread nice values are a Linux matter; elsewhere the priority is the process's")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), niceCheckEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "threads") {
		t.Fatalf("%v: %s", err, out)
	}
}
