// Package pslist owns reading Android process listings and checking the
// processes they name, for every module that reads one: `ps` output as
// toybox (Android 7 and later: `ps -A`, `ps -A -Z`, the bugreport's
// `ps -A -T -Z -O pri,nice,rtprio,sched,pcy,time`) and toolbox (Android 6
// and older: `ps`, `ps -t -p -P`, `ps -Z`) print it, read column by column
// from its header; and the JSON lists of androidqf's collectors.
package pslist

import (
	"bufio"
	"bytes"
	"encoding/json"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
)

// Process is one running process. The ps columns and the collector fields
// are kept as given; fields a listing does not have are left out.
type Process struct {
	User        string   `json:"user,omitempty"`
	UID         *int64   `json:"uid,omitempty"`
	PID         int64    `json:"pid"`
	TID         int64    `json:"tid,omitempty"`
	PPID        int64    `json:"ppid"`
	VSZ         int64    `json:"virtual_memory_size,omitempty"`
	RSS         int64    `json:"resident_set_size,omitempty"`
	WChan       string   `json:"wchan,omitempty"`
	Addr        string   `json:"address,omitempty"`
	State       string   `json:"state,omitempty"`
	Priority    string   `json:"priority,omitempty"`
	Nice        string   `json:"nice,omitempty"`
	RTPriority  string   `json:"realtime_priority,omitempty"`
	Scheduler   string   `json:"scheduler,omitempty"`
	Policy      string   `json:"policy,omitempty"`
	CPUTime     string   `json:"cpu_time,omitempty"`
	Name        string   `json:"proc_name"`
	Path        string   `json:"path,omitempty"`
	Label       string   `json:"label,omitempty"`
	CommandLine []string `json:"command_line,omitempty"`
	Cwd         string   `json:"cwd,omitempty"`
}

// ParsePS reads ps output whole: see Table.
func ParsePS(b []byte) []Process {
	var out []Process
	var t Table
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if p, ok := t.Line(sc.Text()); ok {
			out = append(out, p)
		}
	}
	return out
}

// parseBare reads a process line met before any header: toybox's default
// `ps -A` columns (USER PID PPID VSZ RSS WCHAN ADDR S NAME, an optional
// leading LABEL, a WCHAN that may be empty) or toolbox's (USER PID PPID
// VSIZE RSS WCHAN PC, the state, NAME).
func parseBare(f []string) (Process, bool) {
	var p Process
	if len(f) > 0 && strings.HasPrefix(f[0], "u:") && strings.Count(f[0], ":") >= 3 {
		p.Label, f = f[0], f[1:]
	}
	if len(f) == 8 { // empty WCHAN
		f = append(f[:5], append([]string{""}, f[5:]...)...)
	}
	if len(f) < 9 {
		return p, false
	}
	pid, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil { // the header line, or not a process
		return p, false
	}
	p.User, p.PID = f[0], pid
	p.PPID, _ = strconv.ParseInt(f[2], 10, 64)
	p.VSZ, _ = strconv.ParseInt(f[3], 10, 64)
	p.RSS, _ = strconv.ParseInt(f[4], 10, 64)
	p.WChan, p.Addr, p.State = f[5], f[6], f[7]
	p.Name = strings.Trim(strings.Join(f[8:], " "), "[]")
	return p, p.Name != ""
}

// ParseJSON reads a JSON list of process objects: both collector shapes,
// and key variants (name, proc_name, process_name; cmdline or command_line
// as a string or a list; numbers written as strings).
func ParseJSON(b []byte) ([]Process, error) {
	var rows []map[string]json.RawMessage
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, err
	}
	out := make([]Process, 0, len(rows))
	for _, m := range rows {
		out = append(out, fromJSON(m))
	}
	return out, nil
}

func fromJSON(m map[string]json.RawMessage) Process {
	p := Process{User: str(m, "user"), PID: num(m, "pid"), PPID: num(m, "ppid"),
		Name: commName(str(m, "filename", "name", "proc_name", "process_name")),
		Path: str(m, "path", "exe"), Label: str(m, "context", "label", "selinux_context"),
		CommandLine: list(m, "command_line", "cmdline"), Cwd: str(m, "cwd")}
	if _, ok := m["uid"]; ok && str(m, "uid") != "" {
		u := num(m, "uid")
		p.UID = &u
	}
	if p.Name == "" && len(p.CommandLine) > 0 {
		p.Name = path.Base(p.CommandLine[0])
	}
	return p
}

// commName strips the parentheses /proc/<pid>/stat puts around a process
// name. androidqf's Go collector reads it with a %s verb, so a name with a
// space keeps only its first word and its opening parenthesis.
func commName(s string) string {
	if strings.HasPrefix(s, "(") {
		s = strings.TrimPrefix(s, "(")
		s = strings.TrimSuffix(s, ")")
	}
	return s
}

// str returns the first of keys present as a string (numbers formatted).
func str(m map[string]json.RawMessage, keys ...string) string {
	for _, k := range keys {
		raw, ok := m[k]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		var n json.Number
		if json.Unmarshal(raw, &n) == nil {
			return n.String()
		}
	}
	return ""
}

func num(m map[string]json.RawMessage, keys ...string) int64 {
	n, _ := strconv.ParseInt(str(m, keys...), 10, 64)
	return n
}

// list returns the first of keys present as a list of strings; a string
// value is a command line whose words were joined with spaces.
func list(m map[string]json.RawMessage, keys ...string) []string {
	for _, k := range keys {
		raw, ok := m[k]
		if !ok {
			continue
		}
		var l []string
		if json.Unmarshal(raw, &l) == nil {
			return l
		}
		if s := str(m, k); s != "" {
			return strings.Fields(s)
		}
	}
	return nil
}

// Names returns the distinct names p is known by: its name, the base name
// of its executable and of its command line's first word.
func (p Process) Names() []string {
	var out []string
	for _, s := range []string{p.Name, p.Path, firstArg(p.CommandLine)} {
		if s = path.Base(strings.TrimSpace(s)); s != "" && s != "." && s != "/" {
			out = appendNew(out, s)
		}
	}
	return out
}

// Paths returns the distinct absolute executable paths of p: its path, and
// its name or command line's first word when they are paths.
func (p Process) Paths() []string {
	var out []string
	for _, s := range []string{p.Path, p.Name, firstArg(p.CommandLine)} {
		if strings.HasPrefix(s, "/") {
			out = appendNew(out, s)
		}
	}
	return out
}

func appendNew(l []string, s string) []string {
	for _, o := range l {
		if o == s {
			return l
		}
	}
	return append(l, s)
}

func firstArg(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}

// Report records p, read from artifact, and checks every name and
// executable path it is known by.
func Report(rec *module.Recorder, artifact string, p Process) {
	rec.Record(p)
	Check(rec, artifact, p)
}

// Check checks every name and executable path p is known by: names as app
// ids (an indicator package is running) and process names, paths as file
// paths.
func Check(rec *module.Recorder, artifact string, p Process) {
	w := module.Where{Artifact: artifact, Label: i18n.M("android.what.running_process"), Record: p}
	var apps []string // each app id once: "x:remo" and "x:remote" are both app x
	for _, n := range p.Names() {
		// gatekeeperd clashes with an indicator and is a stock daemon (as MVT).
		if n == "gatekeeperd" {
			continue
		}
		app, _, _ := strings.Cut(n, ":")
		if slices.Contains(apps, app) {
			continue
		}
		apps = append(apps, app)
		if !rec.CheckAppID(app, w) {
			rec.CheckProcess(n, w)
		}
	}
	w.Label = i18n.M("android.what.running_executable")
	for _, x := range p.Paths() {
		rec.CheckPath(x, w)
	}
}
