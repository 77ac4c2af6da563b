// Command spyscan finds traces of mercenary spyware and stalkerware in phone
// acquisitions and network captures. All logic lives under internal/.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime"
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

// startupMemory: no garbage collection runs until the Go runtime's memory
// first reaches this (GOGC off under a soft limit this size); the first
// collection then restores the usual policy (GOGC 100 under
// softMemoryLimit). A small scan (MVT's sample backup: 60 MB allocated,
// 13 MB live at most) then never collects: six collections there cost
// ~20% of its CPU (docs/perf/ios-e2e.md). A large one collects once, at
// this size, instead of at 4, 8, 16... MB, and from then on as before, so
// its peak RSS is unchanged. GOGC or GOMEMLIMIT in the environment turn
// this off.
const startupMemory = 64 << 20

func main() {
	setGCPolicy(os.Getenv)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // the first signal stops the command cleanly; a second one kills it
	}()
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// setGCPolicy sets the collector's policy (see startupMemory) unless the
// environment sets one.
func setGCPolicy(getenv func(string) string) {
	if getenv("GOMEMLIMIT") != "" {
		return // the runtime read it, and GOGC, at start
	}
	if getenv("GOGC") != "" {
		debug.SetMemoryLimit(softMemoryLimit)
		return
	}
	debug.SetGCPercent(-1)
	debug.SetMemoryLimit(startupMemory)
	// The sentinel is unreachable from the start: the first collection
	// queues its cleanup, which restores the usual policy. It holds a
	// pointer so that it is not a tiny allocation, which could share a
	// block with a live object and never be freed.
	s := &struct{ _ *byte }{}
	runtime.AddCleanup(s, func(struct{}) {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(softMemoryLimit)
	}, struct{}{})
}
