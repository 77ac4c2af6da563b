// Command cpuprof runs the spyscan CLI in-process under the Go CPU profiler
// (spyscan itself has no -cpuprofile flag), for the bench/ scripts; with
// -heap it also writes the heap profile taken when the live heap was at its
// largest (sampled every 200 ms), to find what holds the peak RSS:
//
//	go run ./bench/cpuprof -o cpu.prof [-heap heap.prof] -- scan --quiet -o OUT INPUT
//	go tool pprof -top cpu.prof
//	go tool pprof -sample_index=inuse_space -top heap.prof
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"

	"github.com/spyscan/spyscan/internal/cli"
)

func main() {
	out := flag.String("o", "cpu.prof", "CPU profile to write")
	heap := flag.String("heap", "", "heap profile at the peak of the live heap to write (none when empty)")
	flag.Parse()
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
	go watchHeap(*heap, stop, done)
	code := cli.Run(context.Background(), flag.Args(), os.Stdin, os.Stdout, os.Stderr)
	close(stop)
	<-done
	pprof.StopCPUProfile()
	f.Close()
	os.Exit(code)
}

// watchHeap keeps the heap profile of the largest live heap seen: the
// live heap the last garbage collection measured (runtime/metrics
// /gc/heap/live:bytes), which is also what the profile's in-use figures
// describe; HeapAlloc would count garbage not yet collected.
func watchHeap(path string, stop, done chan struct{}) {
	defer close(done)
	if path == "" {
		return
	}
	var peak uint64
	var best []byte
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			if err := os.WriteFile(path, best, 0o644); err != nil {
				fmt.Fprintln(os.Stderr, "cpuprof:", err)
			}
			fmt.Fprintf(os.Stderr, "cpuprof: peak live heap %d MB\n", peak>>20)
			return
		case <-tick.C:
			metrics.Read(sample)
			if live := sample[0].Value.Uint64(); live > peak {
				peak = live
				var b bytes.Buffer
				if pprof.Lookup("heap").WriteTo(&b, 0) == nil {
					best = b.Bytes()
				}
			}
		}
	}
}
