package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/lab/iocset"
	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/retro"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
)

type retroOptions struct {
	engine, dsn, dir string
	scans, per, runs int
}

// Planted values: newHits observables match the indicators added later
// (newIndicators domains of a new family), oldHits match the embedded
// snapshot (free247downloads.com, Pegasus).
const (
	newIndicators = 1000
	newHits       = 100
	oldHits       = 50
	sharedPool    = 5000
)

func runRetro(ctx context.Context, o retroOptions, log *slog.Logger) error {
	dir := o.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "labbench-retro-*")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	opt := store.Options{DataDir: dir}
	if o.engine == "postgres" {
		if o.dsn == "" {
			return fmt.Errorf("-engine postgres needs -dsn or SPYSCAN_LAB_DB")
		}
		opt.DSN = o.dsn
	}
	s, err := store.Open(ctx, opt)
	if err != nil {
		return err
	}
	defer s.Close()
	ind, err := iocset.New(ctx, iocset.Options{CacheDir: filepath.Join(dir, "cache"), AddedDir: filepath.Join(dir, "added"), Log: log})
	if err != nil {
		return err
	}
	fmt.Printf("# labbench retro: %s, %d scans x %d observables, %d indicators in use\n", o.engine, o.scans, o.per, ind.Current().Count)
	if n, _, _ := s.ObservableCounts(ctx, nil); n == 0 {
		t0 := time.Now()
		if err := seed(ctx, s, ind, o); err != nil {
			return err
		}
		fmt.Printf("seeded in %s\n", time.Since(t0).Round(time.Millisecond))
	}
	rows, withObs, err := s.ObservableCounts(ctx, nil)
	if err != nil {
		return err
	}
	fmt.Printf("stored: %d observables in %d scans\n", rows, withObs)
	h := &retro.Hunter{Store: s, Indicators: ind, Log: log}
	timed := func(label string) (*store.RetroRun, error) {
		cpu0, pg0 := cpuTime(), pgCPU()
		t0 := time.Now()
		run, err := h.Run(ctx, label, 0, nil)
		wall := time.Since(t0)
		cpu, pg := cpuTime()-cpu0, pgCPU()-pg0
		if err != nil {
			return nil, err
		}
		line := fmt.Sprintf("%-24s wall %7.3fs  cpu %7.3fs", label, wall.Seconds(), cpu.Seconds())
		if o.engine == "postgres" {
			line += fmt.Sprintf("  postgres cpu %6.3fs", pg.Seconds())
		}
		fmt.Printf("%s  values %d  observables %d  scans %d  new %d  gone %d\n", line, run.Values, run.Observables, run.Scans, run.NewMatches, run.Gone)
		return run, nil
	}
	if _, err := timed("same indicators"); err != nil {
		return err
	}
	if _, _, err := ind.Add(ctx, "new-family.stix2", bytes.NewReader(newBundle())); err != nil {
		return err
	}
	run, err := timed("new indicator file")
	if err != nil {
		return err
	}
	if run.NewMatches != newHits*o.scans/1000 {
		return fmt.Errorf("%d NEW matches, want %d", run.NewMatches, newHits*o.scans/1000)
	}
	var walls []float64
	for i := range o.runs {
		t0 := time.Now()
		if _, err := timed("again " + strconv.Itoa(i+1)); err != nil {
			return err
		}
		walls = append(walls, time.Since(t0).Seconds())
	}
	if len(walls) > 0 {
		slices.Sort(walls)
		fmt.Printf("median of %d runs: %.3fs\n", len(walls), walls[len(walls)/2])
	}
	return nil
}

func newBundle() []byte {
	var ds []string
	for k := range newIndicators {
		ds = append(ds, fmt.Sprintf("newevil%d.example", k))
	}
	return labtest.Bundle("NewFamily", ds...)
}

// seed stores the scans. Each scan's values go through a module.Recorder
// against the set in use, as a real scan's do, so its stored alerts and
// observables are what a scan would store.
func seed(ctx context.Context, s *store.Store, ind *iocset.Holder, o retroOptions) error {
	rng := rand.New(rand.NewPCG(7, 7))
	total := o.scans * o.per
	planted := map[int]string{}
	for k := 0; len(planted) < newHits*o.scans/1000; k++ {
		planted[rng.IntN(total)] = fmt.Sprintf("cdn%d.newevil%d.example", k, rng.IntN(newIndicators))
	}
	for len(planted) < (newHits+oldHits)*o.scans/1000 {
		planted[rng.IntN(total)] = "www.free247downloads.com"
	}
	user, err := s.CreateUser(ctx, "bench", "x", store.Analyst, false)
	if err != nil {
		return err
	}
	cur := ind.Current()
	var c *store.Case
	for sc := range o.scans {
		if sc%10 == 0 {
			if c, err = s.CreateCase(ctx, fmt.Sprintf("case %d", sc/10), "", user.ID); err != nil {
				return err
			}
		}
		acq, err := s.AddAcquisition(ctx, store.Acquisition{CaseID: c.ID, Name: fmt.Sprintf("acq %d", sc), Origin: store.ServerPath,
			Path: fmt.Sprintf("/evidence/%d", sc), Kind: "ios-backup"})
		if err != nil {
			return err
		}
		queued, err := s.QueueScan(ctx, c.ID, []int64{acq.ID}, user.ID, 0)
		if err != nil {
			return err
		}
		if _, err := s.ClaimNext(ctx); err != nil {
			return err
		}
		rec := module.NewRecorder("safari_history", cur.Index, nil)
		for i := range o.per {
			checkValue(rec, rng, sc, i, planted[sc*o.per+i])
		}
		var obs []output.ObservableRecord
		for _, ob := range rec.Observables() {
			obs = append(obs, output.ObservableRecord{Module: "safari_history", Observable: ob})
		}
		verdict := model.VerdictClean
		if len(rec.Result().Alerts) > 0 {
			verdict = model.VerdictDetected
		}
		if err := s.FinishScan(ctx, queued.ID, store.Outcome{ToolVersion: "bench", IndicatorDigest: cur.Digest, Verdict: verdict,
			Alerts: rec.Result().Alerts, Observables: obs}); err != nil {
			return err
		}
	}
	return nil
}

// checkValue checks one generated value of a mix of types: mostly values
// of this scan only, some shared by many scans.
func checkValue(rec *module.Recorder, rng *rand.Rand, scan, i int, planted string) {
	w := module.Where{Artifact: "Library/Safari/History.db", Time: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute), Label: i18n.M("ios.safari_history.what_url")}
	if planted != "" {
		rec.CheckDomain(planted, w)
		return
	}
	host := fmt.Sprintf("s%d-o%d.cdn%d.example.net", scan, i, i%97)
	if rng.IntN(10) < 3 {
		host = fmt.Sprintf("site%d.example.com", rng.IntN(sharedPool))
	}
	switch r := rng.IntN(100); {
	case r < 55:
		rec.CheckDomain(host, w)
	case r < 75:
		rec.CheckURL("https://"+host+"/p/"+strconv.Itoa(i), w)
	case r < 85:
		rec.CheckIP(fmt.Sprintf("10.%d.%d.%d", scan%256, i/256%256, i%256), w)
	case r < 90:
		rec.CheckProcess(fmt.Sprintf("proc%d", rng.IntN(2000)), w)
	case r < 95:
		rec.CheckPath(fmt.Sprintf("/private/var/containers/Bundle/Application/%d-%d/App", scan, i), w)
	default:
		h := sha256.Sum256([]byte(host))
		rec.CheckFileHash(hex.EncodeToString(h[:]), w)
	}
}

// cpuTime is this process's user + system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// pgCPU sums the CPU time of the processes named postgres (the test
// server's; on a machine running other PostgreSQL servers it counts theirs
// too).
func pgCPU() time.Duration {
	ents, _ := os.ReadDir("/proc")
	var ticks int64
	for _, e := range ents {
		if _, err := strconv.Atoi(e.Name()); err != nil {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		st := string(b)
		open, close := strings.IndexByte(st, '('), strings.LastIndexByte(st, ')')
		if open < 0 || close < open || st[open+1:close] != "postgres" {
			continue
		}
		f := strings.Fields(st[close+2:])
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			ticks += u + s
		}
	}
	return time.Duration(ticks) * (time.Second / 100) // USER_HZ
}
