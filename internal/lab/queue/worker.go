package queue

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/lab/iocset"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/scanjob"
)

// A scan can run in a worker process of lower scheduling priority than
// the server (Config.Worker), so that the pages stay quick while scans
// take the cores: the operating system gives the server's threads the
// CPU first. The worker is the same program started again with WorkerEnv
// set; its main calls WorkerMain. It receives the job as JSON on its
// standard input (the password of encrypted inputs included: never on
// its command line), loads the server's indicator set from the same
// sources (and refuses to scan if the digest differs), runs the scan as
// scanjob.Run does in the server, and writes one JSON event a line on
// its standard output: progress, then the verdict or the error. The
// server reads the result folder back as for a scan run in its process.

// WorkerEnv is set (to "1") in the environment of a scan worker process.
const WorkerEnv = "SPYSCAN_LAB_WORKER"

// IsWorker reports whether this process was started as a scan worker.
func IsWorker() bool { return os.Getenv(WorkerEnv) == "1" }

// workerNice is the worker's nice value where priorities are nice values
// (0 is the server's, 19 the lowest).
const workerNice = 10

// maxJob bounds the job a worker reads.
const maxJob = 1 << 20

// workerJob is what the server sends a worker.
type workerJob struct {
	Inputs      []string       `json:"inputs"`
	OutDir      string         `json:"out_dir"`
	Case        string         `json:"case"`
	Version     string         `json:"version"`
	CommandLine []string       `json:"command_line"`
	Lang        string         `json:"lang"`
	Concurrency int            `json:"concurrency"`
	Password    string         `json:"password,omitempty"`
	Indicators  iocset.Sources `json:"indicators"`
	Digest      string         `json:"digest"` // of the set the server runs the scan with
}

// workerEvent is one line a worker writes.
type workerEvent struct {
	Event   string        `json:"event"` // priority, plan, started, done, files, bytes, result, error
	N       int64         `json:"n,omitempty"`
	Input   string        `json:"input,omitempty"`
	Module  string        `json:"module,omitempty"`
	Verdict model.Verdict `json:"verdict,omitempty"`
	Error   string        `json:"error,omitempty"`
	Lowered bool          `json:"lowered,omitempty"`
}

// WorkerMain runs the one scan a server sent on stdin, writing its events
// to stdout; it returns the process's exit code (0: the scan ran, its
// verdict sent; 1: it did not, the error sent).
func WorkerMain(ctx context.Context, stdin io.Reader, stdout io.Writer, log *slog.Logger) int {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	out := &eventWriter{w: bufio.NewWriter(stdout)}
	defer out.flush()
	perr := lowerPriority()
	if perr != nil {
		log.Warn("scan worker: priority not lowered; scans compete with the pages", "err", perr)
	}
	out.send(workerEvent{Event: "priority", Lowered: perr == nil})
	verdict, err := runJob(ctx, stdin, out, log)
	if err != nil {
		out.send(workerEvent{Event: "error", Error: err.Error()})
		return 1
	}
	out.send(workerEvent{Event: "result", Verdict: verdict})
	return 0
}

func runJob(ctx context.Context, stdin io.Reader, out *eventWriter, log *slog.Logger) (model.Verdict, error) {
	var job workerJob
	b, err := io.ReadAll(io.LimitReader(stdin, maxJob+1))
	if err != nil {
		return "", fmt.Errorf("reading the job: %w", err)
	}
	if len(b) > maxJob {
		return "", fmt.Errorf("the job is over %d bytes", maxJob)
	}
	if err := json.Unmarshal(b, &job); err != nil {
		return "", fmt.Errorf("reading the job: %w", err)
	}
	ind, err := iocset.Load(ctx, job.Indicators, log)
	if err != nil {
		return "", err
	}
	if ind.Digest != job.Digest {
		return "", errors.New("the indicators changed while the scan was starting; retry it")
	}
	opts := acquisition.Options{}
	if job.Password != "" {
		pw := job.Password
		opts.Password = func(context.Context, string) (string, error) { return pw, nil }
	}
	rep, err := scanjob.Run(ctx, scanjob.Job{Inputs: job.Inputs, OutDir: job.OutDir, Case: job.Case, Version: job.Version,
		CommandLine: job.CommandLine, Set: ind.Set, Index: ind.Index, Lang: job.Lang, Concurrency: job.Concurrency,
		Options: opts, Log: log, Progress: out})
	if err != nil {
		return "", err
	}
	return rep.Verdict, nil
}

// eventWriter writes events, one JSON object a line; it is the worker's
// scan.Progress.
type eventWriter struct {
	mu sync.Mutex
	w  *bufio.Writer
}

func (e *eventWriter) send(ev workerEvent) {
	b, _ := json.Marshal(ev)
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.Write(b)
	e.w.WriteByte('\n')
	e.w.Flush()
}

func (e *eventWriter) flush() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.w.Flush()
}

func (e *eventWriter) Plan(n int) { e.send(workerEvent{Event: "plan", N: int64(n)}) }
func (e *eventWriter) ModuleStarted(in, name string) {
	e.send(workerEvent{Event: "started", Input: in, Module: name})
}
func (e *eventWriter) ModuleDone(in, name string) {
	e.send(workerEvent{Event: "done", Input: in, Module: name})
}
func (e *eventWriter) Files(n int)   { e.send(workerEvent{Event: "files", N: int64(n)}) }
func (e *eventWriter) Bytes(n int64) { e.send(workerEvent{Event: "bytes", N: n}) }

// maxEventLine bounds one event line the server reads from a worker.
const maxEventLine = 1 << 20

// runWorker runs a scan in a worker process and returns its verdict. When
// ctx ends the worker is asked to stop (an interrupt, where there are
// signals) and killed if it has not after a few seconds.
func (q *Queue) runWorker(ctx context.Context, job workerJob, tr *tracker, log *slog.Logger) (model.Verdict, error) {
	in, err := json.Marshal(job)
	if err != nil {
		return "", err
	}
	cmd := exec.CommandContext(ctx, q.cfg.Worker[0], q.cfg.Worker[1:]...)
	cmd.Env = append(os.Environ(), WorkerEnv+"=1")
	cmd.Stdin = bytes.NewReader(in)
	var stderr tailBuffer
	cmd.Stderr = &stderr
	cmd.Cancel = func() error {
		if runtime.GOOS == "windows" {
			return cmd.Process.Kill()
		}
		return cmd.Process.Signal(os.Interrupt)
	}
	cmd.WaitDelay = 10 * time.Second
	startLowered(cmd)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("starting the scan worker: %w", err)
	}
	var verdict model.Verdict
	var failure string
	got := false
	sc := bufio.NewScanner(stdout)
	sc.Buffer(make([]byte, 64<<10), maxEventLine)
	for sc.Scan() {
		var ev workerEvent
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			continue // not an event: a stray line
		}
		switch ev.Event {
		case "priority":
			q.workerLowered.Store(ev.Lowered)
			if !ev.Lowered {
				log.Warn("scan worker could not lower its priority")
			}
		case "plan":
			tr.Plan(int(ev.N))
		case "started":
			tr.ModuleStarted(ev.Input, ev.Module)
		case "done":
			tr.ModuleDone(ev.Input, ev.Module)
		case "files":
			tr.Files(int(ev.N))
		case "bytes":
			tr.Bytes(ev.N)
		case "result":
			verdict, got = ev.Verdict, true
		case "error":
			failure = ev.Error
		}
	}
	io.Copy(io.Discard, stdout) // a line past the bound: let the worker end
	werr := cmd.Wait()
	switch {
	case ctx.Err() != nil:
		return "", ctx.Err()
	case failure != "":
		return "", errors.New(failure)
	case werr != nil || !got:
		msg := strings.TrimSpace(stderr.String())
		if msg == "" && werr != nil {
			msg = werr.Error()
		}
		return "", fmt.Errorf("the scan worker ended without a result: %s", msg)
	}
	return verdict, nil
}

// tailBuffer keeps the last 4 KiB written to it.
type tailBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - 4096; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
