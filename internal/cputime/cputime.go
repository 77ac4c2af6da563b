// Package cputime measures the CPU time (user + system, every thread) the
// process has used, for benchmarks that report throughput per CPU-second:
// on a shared machine wall time says more about the neighbours than about
// the code.
package cputime
