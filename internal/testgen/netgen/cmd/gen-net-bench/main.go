// Command gen-net-bench writes a large mixed capture for bench/network.sh.
//
//	go run ./internal/testgen/netgen/cmd/gen-net-bench -size 1G -o /tmp/bench.pcap
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func main() {
	out := flag.String("o", "bench.pcap", "output file")
	size := flag.String("size", "1G", "approximate size (K, M, G suffixes)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	n, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-net-bench:", err)
		os.Exit(2)
	}
	f, err := os.Create(*out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-net-bench:", err)
		os.Exit(1)
	}
	written, err := netgen.WriteBenchCapture(f, n, *seed)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-net-bench:", err)
		os.Exit(1)
	}
	fmt.Printf("%s: %d bytes\n", *out, written)
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "K"):
		mult = 1 << 10
	case strings.HasSuffix(s, "M"):
		mult = 1 << 20
	case strings.HasSuffix(s, "G"):
		mult = 1 << 30
	}
	v, err := strconv.ParseInt(strings.TrimRight(s, "KMG"), 10, 64)
	return v * mult, err
}
