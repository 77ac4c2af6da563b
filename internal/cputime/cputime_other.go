//go:build !unix

package cputime

import "time"

// Process is not measured on this platform: it returns 0, and benchmarks
// then leave out their per-CPU-second metrics.
func Process() time.Duration { return 0 }
