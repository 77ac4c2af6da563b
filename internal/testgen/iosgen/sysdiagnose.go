package iosgen

import (
	"fmt"
	"strings"
	"time"
)

// ShutdownEntry is one reboot recorded in shutdown.log: the clients still
// running when the device was asked to shut down.
type ShutdownEntry struct {
	Time    time.Time // of the SIGTERM line; zero writes none (some iOS 26 logs have none)
	Clients []ShutdownClient
	// Notices is the number of "these clients are still here" notices, each
	// listing every client (0 means 1); their elapsed times grow by 0.5 s.
	Notices int
}

// ShutdownClient is a process that delayed the reboot.
type ShutdownClient struct {
	PID  int
	Path string
	UUID string // binary UUID appended to the path, as macOS and iOS 26 log it
}

// ShutdownLog renders entries in the format of shutdown.log: for each
// reboot, delay notices with their tab-indented clients, then the SIGTERM
// line.
func ShutdownLog(entries []ShutdownEntry) []byte {
	var b strings.Builder
	for _, e := range entries {
		for n := range max(e.Notices, 1) {
			fmt.Fprintf(&b, "After %.2fs, these clients are still here:\n", 0.25+0.5*float64(n))
			for _, c := range e.Clients {
				p := c.Path
				if c.UUID != "" {
					p += "/" + c.UUID
				}
				fmt.Fprintf(&b, "\t\tremaining client pid: %d (%s)\n", c.PID, p)
			}
		}
		if !e.Time.IsZero() {
			fmt.Fprintf(&b, "SIGTERM: [%d] All buffers flushed\n", e.Time.Unix())
		}
	}
	return []byte(b.String())
}

// SysdiagnoseTop is the name of a sysdiagnose's top folder.
func SysdiagnoseTop(d Device, t time.Time) string {
	return fmt.Sprintf("sysdiagnose_%s_iPhone-OS_iPhone_%s", t.UTC().Format("2006.01.02_15-04-05-0700"), d.BuildVersion)
}

// SysdiagnoseLog is the capture's own log; like the real one it names the
// archive being written.
func SysdiagnoseLog(d Device, t time.Time) []byte {
	return fmt.Appendf(nil, "sysdiagnose version 3.0\n%s Writing to /private/var/mobile/Library/Logs/CrashReporter/DiagnosticLogs/sysdiagnose/%s.tar.gz\n",
		t.UTC().Format("2006-01-02 15:04:05.000000-0700"), SysdiagnoseTop(d, t))
}

// SysdiagnoseSpec describes a sysdiagnose capture.
type SysdiagnoseSpec struct {
	Device   Device
	Time     time.Time
	Shutdown []ShutdownEntry
	// Rotated are older shutdown logs, written as shutdown.0.log,
	// shutdown.1.log... beside shutdown.log.
	Rotated [][]ShutdownEntry
	Files   []File // extra files, Path relative to the top folder
	Format  DumpFormat
}

// WriteSysdiagnose writes a sysdiagnose archive (or, for DumpFolder, a
// folder holding the unpacked top folder) to out.
func WriteSysdiagnose(out string, s SysdiagnoseSpec) error {
	s = s.withDefaults()
	return WriteDump(out, DumpSpec{Files: SysdiagnoseFiles(s), Wrap: SysdiagnoseTop(s.Device, s.Time), Format: s.Format})
}

// SysdiagnoseFiles are the files of a capture, paths relative to its top folder.
func SysdiagnoseFiles(s SysdiagnoseSpec) []File {
	s = s.withDefaults()
	files := []File{
		{Path: "system_logs.logarchive/Extra/shutdown.log", Data: ShutdownLog(s.Shutdown), ModTime: s.Time},
		{Path: "sysdiagnose.log", Data: SysdiagnoseLog(s.Device, s.Time), ModTime: s.Time},
	}
	for i, r := range s.Rotated {
		files = append(files, File{Path: fmt.Sprintf("system_logs.logarchive/Extra/shutdown.%d.log", i), Data: ShutdownLog(r), ModTime: s.Time})
	}
	return append(files, s.Files...)
}

func (s SysdiagnoseSpec) withDefaults() SysdiagnoseSpec {
	if s.Device == (Device{}) {
		s.Device = DefaultDevice
	}
	if s.Time.IsZero() {
		s.Time = DefaultTime
	}
	return s
}
