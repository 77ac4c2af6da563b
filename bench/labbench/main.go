// Command labbench measures the lab (`spyscan serve`). Not run in CI; see
// bench/lab.sh and docs/PERFORMANCE.md.
//
//	labbench retro [-engine sqlite|postgres] [-scans 1000] [-per 1000] [-runs 5]
//	    stores SCANS finished scans holding PER observables each (values of
//	    every type, most unique, some shared between scans, a few matching
//	    indicators published later), then times retro-hunts of all of them:
//	    first with the indicators the scans ran with (nothing new), then
//	    after an indicator file is added (NEW matches stored), then RUNS
//	    more runs of the same work. PostgreSQL: SPYSCAN_LAB_DB or -dsn.
//
//	labbench load [-users 20] [-duration 60s] [-max 20000] [-cases 20] [-scans 2] [-cpuprofile FILE]
//	    serves a lab on 127.0.0.1 with CASES cases scanned from the demo
//	    inputs, keeps SCANS scans running, and has USERS users browsing
//	    (log in once, then pages with a short think time) for DURATION or
//	    MAX requests; prints page-time percentiles per page and overall.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/pprof"
	"time"

	"github.com/spyscan/spyscan/internal/lab/queue"
)

func main() {
	if queue.IsWorker() { // a scan of the lab under load, at a lower priority
		os.Exit(queue.WorkerMain(context.Background(), os.Stdin, os.Stdout, nil))
	}
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: labbench retro|load [flags]")
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx := context.Background()
	var err error
	switch os.Args[1] {
	case "retro":
		fs := flag.NewFlagSet("retro", flag.ExitOnError)
		o := retroOptions{}
		fs.StringVar(&o.engine, "engine", "sqlite", "sqlite or postgres")
		fs.StringVar(&o.dsn, "dsn", os.Getenv("SPYSCAN_LAB_DB"), "PostgreSQL DSN (for -engine postgres)")
		fs.StringVar(&o.dir, "dir", "", "data folder (default: a temporary one, removed)")
		fs.IntVar(&o.scans, "scans", 1000, "stored scans")
		fs.IntVar(&o.per, "per", 1000, "observables per scan")
		fs.IntVar(&o.runs, "runs", 5, "timed runs after the first two")
		fs.Parse(os.Args[2:])
		err = runRetro(ctx, o, log)
	case "load":
		fs := flag.NewFlagSet("load", flag.ExitOnError)
		o := loadOptions{}
		fs.IntVar(&o.users, "users", 20, "concurrent users")
		fs.DurationVar(&o.duration, "duration", 60*time.Second, "how long the users browse")
		fs.IntVar(&o.max, "max", 20000, "requests at most")
		fs.IntVar(&o.cases, "cases", 20, "cases, each scanned once from demo inputs")
		fs.IntVar(&o.scans, "scans", 2, "scans kept running while the users browse")
		fs.DurationVar(&o.think, "think", 250*time.Millisecond, "mean pause between two pages of one user")
		fs.StringVar(&o.dir, "dir", "", "data folder (default: a temporary one, removed)")
		fs.BoolVar(&o.inProcess, "scans-in-process", false, "run scans in the server's process (as before worker processes)")
		profile := fs.String("cpuprofile", "", "write a CPU profile of the whole run (server, scans and users) to this file")
		fs.Parse(os.Args[2:])
		if *profile != "" {
			f, perr := os.Create(*profile)
			if perr != nil {
				err = perr
				break
			}
			pprof.StartCPUProfile(f)
			defer func() { pprof.StopCPUProfile(); f.Close() }()
		}
		err = runLoad(ctx, o, log)
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "labbench:", err)
		os.Exit(1)
	}
}
