package queue

import (
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// lowerPriority: the server started the worker in the below-normal
// priority class (startLowered).
func lowerPriority() error { return nil }

// startLowered starts the worker in the below-normal priority class.
func startLowered(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.BELOW_NORMAL_PRIORITY_CLASS}
}
