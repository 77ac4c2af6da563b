// Command gen-snapshot-index compiles the embedded indicator snapshot (the
// STIX bundles under internal/indicators/snapshot) into the index the
// binary embeds. Run through `go generate ./internal/indicators` after any
// change to the snapshot.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/spyscan/spyscan/internal/indicators"
)

func main() {
	dir := flag.String("snapshot", "snapshot", "snapshot folder (sources.json and one folder per source)")
	out := flag.String("out", "compiled/snapshot.idx", "compiled index to write")
	flag.Parse()
	b, err := indicators.CompileSnapshot(context.Background(), os.DirFS(*dir))
	if err == nil {
		err = os.WriteFile(*out, b, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen-snapshot-index:", err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gen-snapshot-index: wrote %s (%d bytes)\n", *out, len(b))
}
