//go:build unix

package modutil

import (
	"syscall"
	"time"
)

// CPUTime returns the CPU time (user + system) the process has used so
// far, or 0 where the platform cannot tell. Benchmarks report it per
// operation as well as wall time, because wall time on a shared machine
// mostly measures the neighbours.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
