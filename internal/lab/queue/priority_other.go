//go:build !linux && !windows && !darwin && !freebsd && !netbsd && !openbsd && !dragonfly

package queue

import (
	"errors"
	"os/exec"
)

// lowerPriority: no priority is set on this system; scans run at the
// server's priority.
func lowerPriority() error { return errors.New("process priority is not set on this system") }

func startLowered(*exec.Cmd) {}
