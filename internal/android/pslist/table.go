package pslist

import (
	"slices"
	"strconv"
	"strings"
)

// Table reads ps output line by line. A header line (one naming PID and a
// command column) sets the columns of the lines after it, so every column
// list ps can be asked for is read, and a second table (the bugreport's
// PROCESSES blocks follow one another) brings its own header. Lines before
// any header are read as the default `ps -A` columns. The zero Table is
// ready to use.
type Table struct {
	cols []string // the header's column names, upper case
}

// Reset forgets the header (a new block starts).
func (t *Table) Reset() { t.cols = nil }

// Line reads one line: it returns the process, or false for a header,
// a blank line or a line that is not a process.
func (t *Table) Line(line string) (Process, bool) {
	f := strings.Fields(line)
	if isHeader(f) {
		t.cols = headerColumns(f)
		return Process{}, false
	}
	if t.cols == nil {
		return parseBare(f)
	}
	return parseRow(t.cols, f)
}

// commandColumns name the last column, the command (which may hold spaces:
// thread names such as "Signal Catcher").
var commandColumns = []string{"NAME", "CMD", "COMMAND", "ARGS", "COMM", "CMDLINE"}

func isHeader(f []string) bool {
	return len(f) >= 2 && slices.Contains(f, "PID") && slices.Contains(commandColumns, f[len(f)-1])
}

// headerColumns returns the columns of a header. toolbox prints the state
// of a process without a heading, between PC and NAME: it is given one.
func headerColumns(f []string) []string {
	cols := slices.Clone(f)
	if slices.Contains(cols, "PC") && !slices.Contains(cols, "S") {
		cols = slices.Insert(cols, len(cols)-1, "S")
	}
	return cols
}

// parseRow reads a row under cols. Two columns may be blank in a row and
// shift the others: LABEL, when the context could not be read, and WCHAN,
// for a running process.
func parseRow(cols, f []string) (Process, bool) {
	var p Process
	if len(cols) > 0 && cols[0] == "LABEL" && (len(f) == 0 || !isLabel(f[0])) {
		cols = cols[1:]
	}
	if w := slices.Index(cols, "WCHAN"); w >= 0 {
		if s := slices.Index(cols, "S"); s > w && s < len(f) && !isState(f[s]) && isState(f[s-1]) {
			f = slices.Insert(slices.Clone(f), w, "")
		}
	}
	n := len(cols)
	if len(f) < n || n == 0 {
		return p, false
	}
	pidSeen := false
	for i, c := range cols[:n-1] {
		v := f[i]
		switch c {
		case "LABEL":
			p.Label = v
		case "USER":
			p.User = v
		case "UID":
			if u, err := strconv.ParseInt(v, 10, 64); err == nil {
				p.UID = &u
			}
		case "PID":
			pid, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return p, false // a repeated header, or not a process
			}
			p.PID, pidSeen = pid, true
		case "TID":
			p.TID, _ = strconv.ParseInt(v, 10, 64)
		case "PPID":
			p.PPID, _ = strconv.ParseInt(v, 10, 64)
		case "VSZ", "VSIZE":
			p.VSZ, _ = strconv.ParseInt(v, 10, 64)
		case "RSS":
			p.RSS, _ = strconv.ParseInt(v, 10, 64)
		case "WCHAN":
			p.WChan = v
		case "ADDR", "PC":
			p.Addr = v
		case "S":
			p.State = v
		case "PRI", "PRIO":
			p.Priority = v
		case "NI", "NICE":
			p.Nice = v
		case "RTPRIO", "RTPRI":
			p.RTPriority = v
		case "SCH", "SCHED":
			p.Scheduler = v
		case "PCY":
			p.Policy = v
		case "TIME", "TIME+":
			p.CPUTime = v
		}
	}
	if !pidSeen {
		return p, false
	}
	p.Name = strings.Trim(strings.Join(f[n-1:], " "), "[]")
	return p, p.Name != ""
}

// isLabel reports whether s is an SELinux context ("u:r:init:s0").
func isLabel(s string) bool { return strings.Count(s, ":") >= 3 }

// isState reports whether s is a process state letter.
func isState(s string) bool { return len(s) == 1 && strings.Contains("RSDTtZXxKWPI", s) }
