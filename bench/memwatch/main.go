// Command memwatch runs the spyscan CLI in-process and tells where its
// peak resident set size came from: it samples VmRSS (/proc/self/status)
// every 50 ms and prints, at the largest, the runtime's own accounting of
// its memory (runtime/metrics: heap objects, fragmentation, free pages not
// yet returned, the live heap and the collector's goal). With -trace it
// prints every sample, to see which phase of a scan makes the peak:
//
//	go run ./bench/memwatch [-trace] -- scan --quiet -o OUT INPUT
//
// The RSS also counts the binary's own pages (file-backed, about 20 MB),
// which the runtime does not.
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"runtime/metrics"
	"strconv"
	"time"

	"github.com/spyscan/spyscan/internal/cli"
)

var names = []string{
	"/memory/classes/heap/objects:bytes",
	"/memory/classes/heap/unused:bytes",
	"/memory/classes/heap/free:bytes",
	"/memory/classes/heap/released:bytes",
	"/memory/classes/heap/stacks:bytes",
	"/memory/classes/metadata/other:bytes",
	"/memory/classes/metadata/mspan/inuse:bytes",
	"/memory/classes/other:bytes",
	"/memory/classes/total:bytes",
	"/gc/heap/live:bytes",
	"/gc/heap/goal:bytes",
}

// rss is VmRSS and RssAnon, in bytes.
func rss() (total, anon uint64) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	s := bufio.NewScanner(bytes.NewReader(b))
	for s.Scan() {
		f := bytes.Fields(s.Bytes())
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseUint(string(f[1]), 10, 64)
		switch string(f[0]) {
		case "VmRSS:":
			total = n << 10
		case "RssAnon:":
			anon = n << 10
		}
	}
	return total, anon
}

func mb(v uint64) float64 { return float64(v) / 1e6 }

func main() {
	trace := flag.Bool("trace", false, "print every sample: time, RSS, heap objects, unused, free, released, live heap, goal (MB)")
	flag.Parse()
	stop, done := make(chan struct{}), make(chan struct{})
	start := time.Now()
	go func() {
		defer close(done)
		cur := make([]metrics.Sample, len(names))
		for i, n := range names {
			cur[i].Name = n
		}
		best := make([]metrics.Sample, len(names))
		var peak, peakAnon uint64
		var at time.Duration
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				fmt.Fprintf(os.Stderr, "memwatch: peak RSS %.1f MB (anonymous %.1f MB) at %v\n", mb(peak), mb(peakAnon), at.Round(time.Millisecond))
				for _, s := range best {
					fmt.Fprintf(os.Stderr, "  %-44s %7.1f MB\n", s.Name, mb(s.Value.Uint64()))
				}
				return
			case <-tick.C:
				r, anon := rss()
				if !*trace && r <= peak {
					continue
				}
				metrics.Read(cur)
				if *trace {
					fmt.Fprintf(os.Stderr, "memwatch: %7.2fs rss %6.1f objects %6.1f unused %5.1f free %5.1f released %5.1f live %5.1f goal %5.1f\n",
						time.Since(start).Seconds(), mb(r), mb(cur[0].Value.Uint64()), mb(cur[1].Value.Uint64()), mb(cur[2].Value.Uint64()),
						mb(cur[3].Value.Uint64()), mb(cur[9].Value.Uint64()), mb(cur[10].Value.Uint64()))
				}
				if r > peak {
					peak, peakAnon, at = r, anon, time.Since(start)
					copy(best, cur)
				}
			}
		}
	}()
	code := cli.Run(context.Background(), flag.Args(), os.Stdin, os.Stdout, os.Stderr)
	close(stop)
	<-done
	os.Exit(code)
}
