// Package tombstone owns parsing Android tombstones (native crash reports)
// in both forms: the text form and the protobuf form of AOSP's
// debuggerd/proto/tombstone.proto, read field by field with protowire (no
// generated code: only the fields below are decoded, the rest is skipped).
// Only the crash header is kept: process, command line, executable, uid,
// SELinux label, signal, every cause, abort message and time.
package tombstone

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// Signal describes the crash signal.
type Signal struct {
	Number   int    `json:"number"`
	Name     string `json:"name"`
	Code     int    `json:"code"`
	CodeName string `json:"code_name"`
}

// Tombstone is the header of one crash report.
type Tombstone struct {
	Format           string    `json:"format"` // "text" or "protobuf"
	BuildFingerprint string    `json:"build_fingerprint"`
	Revision         string    `json:"revision"`
	Arch             string    `json:"arch,omitempty"`
	Timestamp        string    `json:"timestamp"`      // as written
	Time             time.Time `json:"time,omitzero"`  // UTC
	ProcessUptime    int64     `json:"process_uptime"` // seconds
	CommandLine      []string  `json:"command_line,omitempty"`
	PID              int64     `json:"pid"`
	TID              int64     `json:"tid"`
	UID              int64     `json:"uid"`
	ProcessName      string    `json:"process_name"`
	BinaryPath       string    `json:"binary_path,omitempty"`
	Executable       string    `json:"executable,omitempty"` // protobuf executable_name: the binary that ran (/proc/pid/exe)
	SELinuxLabel     string    `json:"selinux_label,omitempty"`
	Signal           Signal    `json:"signal_info"`
	Cause            string    `json:"cause,omitempty"` // the first (most likely) cause
	Causes           []Cause   `json:"causes,omitempty"`
	AbortMessage     string    `json:"abort_message,omitempty"`
}

// Cause is one probable cause of a crash, most likely first. A crash may
// have several (memory-safety tools list every candidate).
type Cause struct {
	HumanReadable string       `json:"human_readable"`
	MemoryError   *MemoryError `json:"memory_error,omitempty"`
}

// MemoryError is what a memory-safety tool (GWP-ASan, Scudo/MTE) found.
type MemoryError struct {
	Tool            string `json:"tool"` // GWP_ASAN, SCUDO
	Type            string `json:"type"` // USE_AFTER_FREE, DOUBLE_FREE, ...
	HeapAddress     uint64 `json:"heap_address,omitempty"`
	HeapSize        uint64 `json:"heap_size,omitempty"`
	AllocationTID   uint64 `json:"allocation_tid,omitempty"`
	DeallocationTID uint64 `json:"deallocation_tid,omitempty"`
}

// addCause keeps c, up to maxCauses; the first is also t.Cause.
func (t *Tombstone) addCause(c Cause) {
	if len(t.Causes) >= maxCauses {
		return
	}
	t.Causes = append(t.Causes, c)
	if t.Cause == "" { // the first cause that has a text
		t.Cause = c.HumanReadable
	}
}

// ErrNotTombstone means the data holds no tombstone header.
var ErrNotTombstone = errors.New("not a tombstone")

// Parse reads a tombstone, choosing the form from its content.
func Parse(b []byte) (Tombstone, error) {
	if looksText(b) {
		return ParseText(b)
	}
	return ParseProto(b)
}

func looksText(b []byte) bool {
	head := b[:min(len(b), 256)]
	return bytes.HasPrefix(head, []byte("***")) || bytes.Contains(head, []byte("Build fingerprint:")) ||
		bytes.Contains(head, []byte("pid: "))
}

// ParseText reads the header of a text tombstone: the lines before the
// crashing thread's backtrace, and the causes listed after it (debuggerd
// prints a single cause in the header, several after the backtrace).
func ParseText(b []byte) (Tombstone, error) {
	t := Tombstone{Format: "text"}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	seenPID, seenUID, pastHeader := false, false, false
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "--- --- ---") { // the next thread
			break
		}
		if strings.HasPrefix(line, "backtrace:") {
			pastHeader = true
		}
		if pastHeader {
			if c, ok := strings.CutPrefix(line, "Cause: "); ok {
				t.addCause(Cause{HumanReadable: strings.TrimSpace(c)})
			}
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		val = strings.Trim(strings.TrimSpace(val), "'")
		switch {
		case strings.HasPrefix(line, "pid: ") && !seenPID:
			seenPID = true
			t.parsePIDLine(line)
		case strings.HasPrefix(line, "signal "):
			t.Signal = parseSignalLine(line)
		case !ok:
		case key == "Build fingerprint":
			t.BuildFingerprint = val
		case key == "Revision":
			t.Revision = val
		case key == "ABI":
			t.Arch = val
		case key == "Timestamp":
			t.Timestamp = val
		case key == "Process uptime":
			t.ProcessUptime, _ = strconv.ParseInt(strings.TrimSuffix(val, "s"), 10, 64)
		case key == "Cmdline":
			t.CommandLine = strings.Fields(val)
		case key == "uid" && !seenUID:
			seenUID = true
			t.UID, _ = strconv.ParseInt(val, 10, 64)
		case key == "Cause":
			t.addCause(Cause{HumanReadable: strings.TrimSpace(val)})
		case key == "Abort message":
			t.AbortMessage = val
		}
	}
	if err := sc.Err(); err != nil && !pastHeader {
		return t, err // a line past the header too long to read leaves the header whole
	}
	if !seenPID {
		return t, ErrNotTombstone
	}
	t.finish()
	return t, nil
}

// "pid: 9850, tid: 9893, name: UsbFfs-worker  >>> /system/bin/adbd <<<"
func (t *Tombstone) parsePIDLine(line string) {
	info, bin, hasBin := strings.Cut(line, ">>>")
	if hasBin {
		t.BinaryPath = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(bin), "<<<"))
	}
	for _, part := range strings.Split(info, ",") {
		k, v, ok := strings.Cut(part, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "pid":
			t.PID, _ = strconv.ParseInt(v, 10, 64)
		case "tid":
			t.TID, _ = strconv.ParseInt(v, 10, 64)
		case "name":
			t.ProcessName = v
		}
	}
}

// "signal 6 (SIGABRT), code -1 (SI_QUEUE), fault addr --------"
func parseSignalLine(line string) Signal {
	var s Signal
	parts := strings.Split(line, ",")
	num := func(p, prefix string) (int, string) {
		p = strings.TrimSpace(p)
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			return 0, ""
		}
		f := strings.Fields(rest)
		if len(f) == 0 {
			return 0, ""
		}
		n, _ := strconv.Atoi(f[0])
		name := "UNKNOWN"
		if i, j := strings.IndexByte(rest, '('), strings.IndexByte(rest, ')'); i >= 0 && j > i {
			name = rest[i+1 : j]
		}
		return n, name
	}
	s.Number, s.Name = num(parts[0], "signal ")
	if len(parts) > 1 {
		s.Code, s.CodeName = num(parts[1], "code ")
	}
	return s
}

var tsLayouts = []string{
	"2006-01-02 15:04:05.999999999-0700",
	"2006-01-02 15:04:05-0700",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
}

func (t *Tombstone) finish() {
	for _, l := range tsLayouts {
		if v, err := time.Parse(l, t.Timestamp); err == nil {
			t.Time = v.UTC()
			break
		}
	}
	if t.ProcessName == "" && len(t.CommandLine) > 0 {
		t.ProcessName = path.Base(t.CommandLine[0])
	}
}

// Describe is a one-line summary.
func (t Tombstone) Describe() string {
	return fmt.Sprintf("Crash of %q (pid %d, uid %d): %s %s", t.ProcessName, t.PID, t.UID, t.Signal.Name, t.Signal.CodeName)
}
