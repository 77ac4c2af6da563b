package iosgen

import (
	"fmt"
	"strings"
	"time"
)

// ShutdownEntry is one reboot recorded in shutdown.log: the clients still
// running when the device was asked to shut down.
type ShutdownEntry struct {
	Time    time.Time
	Clients []ShutdownClient
}

// ShutdownClient is a process that delayed the reboot.
type ShutdownClient struct {
	PID  int
	Path string
}

// ShutdownLog renders entries in the format of system_logs.logarchive/Extra/shutdown.log.
func ShutdownLog(entries []ShutdownEntry) []byte {
	var b strings.Builder
	for _, e := range entries {
		b.WriteString("After 0.25s, these clients are still here:\n")
		for _, c := range e.Clients {
			fmt.Fprintf(&b, "\t\tremaining client pid: %d (%s)\n", c.PID, c.Path)
		}
		fmt.Fprintf(&b, "SIGTERM: [%d]\n", e.Time.Unix())
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
	Files    []File // extra files, Path relative to the top folder
	Format   DumpFormat
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
	return append([]File{
		{Path: "system_logs.logarchive/Extra/shutdown.log", Data: ShutdownLog(s.Shutdown), ModTime: s.Time},
		{Path: "sysdiagnose.log", Data: SysdiagnoseLog(s.Device, s.Time), ModTime: s.Time},
	}, s.Files...)
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
