package queue

import (
	"os"
	"os/exec"
	"strconv"
	"syscall"
)

// lowerPriority gives every thread of this process the worker's nice
// value. On Linux a nice value belongs to a thread, not to the process:
// each thread the Go runtime already started is set, twice over to catch
// one started meanwhile; threads started later inherit it from the
// thread that starts them.
func lowerPriority() error {
	for range 2 {
		ents, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return err
		}
		for _, e := range ents {
			tid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			if err := syscall.Setpriority(syscall.PRIO_PROCESS, tid, workerNice); err != nil {
				return err
			}
		}
	}
	return nil
}

// startLowered: the worker lowers its own priority.
func startLowered(*exec.Cmd) {}
