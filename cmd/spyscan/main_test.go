package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
	"time"
)

// TestGCPolicy: no collection before startupMemory, then GOGC 100 under
// softMemoryLimit from the first collection on; GOGC or GOMEMLIMIT in the
// environment keep theirs.
func TestGCPolicy(t *testing.T) {
	pct0, lim0 := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(pct0); debug.SetMemoryLimit(lim0) })
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

	setGCPolicy(env(map[string]string{"GOMEMLIMIT": "100MiB"}))
	if pct, lim := debug.SetGCPercent(100), debug.SetMemoryLimit(-1); pct != 100 || lim != math.MaxInt64 {
		t.Errorf("GOMEMLIMIT set: GOGC %d, limit %d; want the runtime's (100, none)", pct, lim)
	}
	setGCPolicy(env(map[string]string{"GOGC": "50"}))
	if pct, lim := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64); pct != 100 || lim != softMemoryLimit {
		t.Errorf("GOGC set: GOGC %d, limit %d; want it kept (100 here), limit %d", pct, lim, softMemoryLimit)
	}

	setGCPolicy(env(nil))
	if pct, lim := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1); pct != -1 || lim != startupMemory {
		t.Fatalf("at start: GOGC %d, limit %d; want -1 (off), %d", pct, lim, startupMemory)
	}
	runtime.GC()
	// The policy is read through runtime/metrics from here on: reading it
	// with debug.SetGCPercent writes it too, which could undo the cleanup
	// when it runs between that read and the write back.
	deadline := time.Now().Add(10 * time.Second)
	for {
		pct, lim := gcPolicy()
		if pct == 100 && lim == softMemoryLimit {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after a collection: GOGC %d, limit %d; want 100, %d", pct, lim, softMemoryLimit)
		}
		runtime.Gosched()
	}
}

// gcPolicy reads GOGC and the memory limit without setting them.
func gcPolicy() (pct, limit int64) {
	m := []metrics.Sample{{Name: "/gc/gogc:percent"}, {Name: "/gc/gomemlimit:bytes"}}
	metrics.Read(m)
	return int64(m[0].Value.Uint64()), int64(m[1].Value.Uint64())
}
