// Command gen-net-demo writes demo/capture.pcapng, the generated network
// capture scanned by the README's demo command.
//
//	go run ./internal/testgen/netgen/cmd/gen-net-demo [-o demo/capture.pcapng]
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"

	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func main() {
	out := flag.String("o", "demo/capture.pcapng", "output file")
	flag.Parse()
	var buf bytes.Buffer
	if err := netgen.WriteDemo(&buf); err != nil {
		fmt.Fprintln(os.Stderr, "gen-net-demo:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen-net-demo:", err)
		os.Exit(1)
	}
}
