// Command spyscan finds traces of mercenary spyware and stalkerware in phone
// acquisitions and network captures. All logic lives under internal/.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/spyscan/spyscan/internal/cli"
)

// softMemoryLimit: a scan's working set is bounded (results stream to
// disk), so the garbage collector is asked to keep the heap near this
// rather than let it grow to twice the live data. It is a soft limit: a
// larger live heap still works, with more GC. GOMEMLIMIT overrides it
// (GOMEMLIMIT=off: none). The limit only pays while the live heap stays
// well under it: when the live heap nears it the collector runs back to
// back (1M-row backup, live heap ~210 MB: +70% CPU). With the live heap
// cut (~110 MB), 192 MiB costs ~20% CPU for half the RSS (224 vs 455 MB,
// side by side: docs/PERFORMANCE.md).
const softMemoryLimit = 192 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(softMemoryLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // the first signal stops the command cleanly; a second one kills it
	}()
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
