// Command cpuprof runs the spyscan CLI in-process under the Go CPU profiler
// (spyscan itself has no -cpuprofile flag), for the bench/ scripts; with
// -heap it also writes the heap profile taken when the live heap was at its
// largest (sampled every 200 ms), to find what holds the peak RSS; with
// -window it also writes the peak of each window of that length as
// heap.prof.0, heap.prof.1, ... (to compare the phases of a scan); with
// -allocs it records every allocation (runtime.MemProfileRate 1) and
// writes the allocation profile of all the runs at the end:
//
//	go run ./bench/cpuprof -o cpu.prof [-heap heap.prof [-window 30s]] [-allocs allocs.prof] [-n RUNS] -- scan --quiet -o OUT INPUT
//	go tool pprof -top cpu.prof
//	go tool pprof -sample_index=inuse_space -top heap.prof
//	go tool pprof -sample_index=alloc_space -top allocs.prof
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/cli"
)

func main() {
	out := flag.String("o", "cpu.prof", "CPU profile to write")
	heap := flag.String("heap", "", "heap profile at the peak of the live heap to write (none when empty)")
	window := flag.Duration("window", 0, "also write the peak of each window of this length as HEAP.0, HEAP.1, ... (0: none)")
	runs := flag.Int("n", 1, "run the command this many times (a loop of small scans); the folder given to -o/--output is removed before each run")
	allocs := flag.String("allocs", "", "allocation profile of every allocation of the runs to write (none when empty)")
	flag.Parse()
	if *allocs != "" {
		runtime.MemProfileRate = 1 // every allocation: a small scan allocates too little for the default sampling
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cpuprof:", err)
		os.Exit(2)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "cpuprof:", err)
		os.Exit(2)
	}
	stop := make(chan struct{})
	done := make(chan struct{})
	go watchHeap(*heap, *window, stop, done)
	code := 0
	for i := range *runs {
		if i > 0 {
			if dir := outDir(flag.Args()); dir != "" {
				os.RemoveAll(dir)
			}
		}
		code = cli.Run(context.Background(), flag.Args(), os.Stdin, os.Stdout, os.Stderr)
	}
	close(stop)
	<-done
	pprof.StopCPUProfile()
	f.Close()
	if *allocs != "" {
		if err := writeAllocs(*allocs); err != nil {
			fmt.Fprintln(os.Stderr, "cpuprof:", err)
			os.Exit(2)
		}
	}
	os.Exit(code)
}

// writeAllocs writes the allocation profile (every allocation since the
// start, as MemProfileRate is 1) to path.
func writeAllocs(path string) error {
	runtime.GC() // the profile counts allocations up to the last collection
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// outDir is the value of the command's -o or --output flag ("" without one).
func outDir(args []string) string {
	for i, a := range args {
		switch {
		case (a == "-o" || a == "--output") && i+1 < len(args):
			return args[i+1]
		case strings.HasPrefix(a, "--output="):
			return strings.TrimPrefix(a, "--output=")
		}
	}
	return ""
}

// watchHeap keeps the heap profile of the largest live heap seen, and
// with window > 0 writes that of each window as it ends. The live heap is
// what the last garbage collection measured (runtime/metrics
// /gc/heap/live:bytes), which is also what the profile's in-use figures
// describe; HeapAlloc would count garbage not yet collected.
func watchHeap(path string, window time.Duration, stop, done chan struct{}) {
	defer close(done)
	if path == "" {
		return
	}
	var peak, wpeak uint64
	var best, wbest []byte
	n, start := 0, time.Now()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	flushWindow := func() {
		if window > 0 && wbest != nil {
			name := fmt.Sprintf("%s.%d", path, n)
			if err := os.WriteFile(name, wbest, 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "cpuprof:", err)
			}
			fmt.Fprintf(os.Stderr, "cpuprof: %s: peak heap %d MB in [%v, %v)\n", name, wpeak>>20, time.Duration(n)*window, time.Duration(n+1)*window)
		}
		wpeak, wbest = 0, nil
		n++
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			flushWindow()
			if err := os.WriteFile(path, best, 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "cpuprof:", err)
			}
			fmt.Fprintf(os.Stderr, "cpuprof: peak live heap %d MB\n", peak>>20)
			return
		case <-tick.C:
			if window > 0 && time.Since(start) >= time.Duration(n+1)*window {
				flushWindow()
			}
			metrics.Read(sample)
			live := sample[0].Value.Uint64()
			if live > peak || (window > 0 && live > wpeak) {
				var b bytes.Buffer
				if pprof.Lookup("heap").WriteTo(&b, 0) != nil {
					continue
				}
				if live > peak {
					peak, best = live, b.Bytes()
				}
				if live > wpeak {
					wpeak, wbest = live, b.Bytes()
				}
			}
		}
	}
}
