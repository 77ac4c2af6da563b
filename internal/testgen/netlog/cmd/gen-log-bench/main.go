// Command gen-log-bench writes a large Zeek dns.log for the network-log
// benchmark (bench/logs.sh):
//
//	go run ./internal/testgen/netlog/cmd/gen-log-bench -lines 10000000 -o /tmp/dns.log
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/spyscan/spyscan/internal/testgen/netlog"
)

func main() {
	lines := flag.Int("lines", 10_000_000, "number of log lines")
	distinct := flag.Int("distinct", 200_000, "number of distinct query names")
	out := flag.String("o", "dns.log", "output file")
	zipf := flag.Bool("zipf", false, "draw names from a Zipf distribution (s=1.1) instead of uniformly")
	flag.Parse()
	if *lines < 0 || *distinct < 1 {
		fmt.Fprintln(os.Stderr, "gen-log-bench: -lines must be ≥ 0 and -distinct ≥ 1")
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err == nil {
		err = netlog.WriteBenchDNS(f, *lines, *distinct, *zipf)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-log-bench:", err)
		os.Exit(1)
	}
}
