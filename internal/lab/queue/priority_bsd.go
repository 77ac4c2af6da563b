//go:build darwin || freebsd || netbsd || openbsd || dragonfly

package queue

import (
	"os/exec"
	"syscall"
)

// lowerPriority gives this process the worker's nice value (a process
// attribute here).
func lowerPriority() error { return syscall.Setpriority(syscall.PRIO_PROCESS, 0, workerNice) }

// startLowered: the worker lowers its own priority.
func startLowered(*exec.Cmd) {}
