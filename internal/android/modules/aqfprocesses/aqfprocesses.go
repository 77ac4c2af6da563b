// Package aqfprocesses owns the androidqf processes module: the processes
// running at acquisition, from processes.txt (`ps -A` output, or the JSON
// list androidqf's collector writes), processes.json or the older ps.txt.
// Process names are checked against process and app-id indicators.
package aqfprocesses

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_processes"

// Candidates are the files read, first found wins.
var Candidates = []string{"processes.txt", "processes.json", "ps.txt"}

// MaxSize bounds the file read.
const MaxSize = 64 << 20

// Process is one running process.
type Process struct {
	User        string `json:"user"`
	PID         int64  `json:"pid"`
	PPID        int64  `json:"ppid"`
	VSZ         int64  `json:"virtual_memory_size"`
	RSS         int64  `json:"resident_set_size"`
	WChan       string `json:"wchan"`
	Addr        string `json:"address"`
	State       string `json:"state"`
	Name        string `json:"proc_name"`
	Label       string `json:"label,omitempty"`
	CommandLine string `json:"command_line,omitempty"`
}

// Module is the androidqf processes module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// ParsePS reads `ps -A` output (with or without WCHAN and SELinux label).
func ParsePS(b []byte) []Process {
	var out []Process
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	first := true
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if first {
			first = false
			if len(f) > 0 && (f[0] == "USER" || f[0] == "LABEL") {
				continue
			}
		}
		if len(f) == 0 {
			continue
		}
		var p Process
		if strings.HasPrefix(f[0], "u:r:") {
			p.Label, f = f[0], f[1:]
		}
		if len(f) == 8 { // no WCHAN
			f = append(f[:5], append([]string{""}, f[5:]...)...)
		}
		if len(f) < 9 {
			continue
		}
		pid, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			continue
		}
		p.User, p.PID = f[0], pid
		p.PPID, _ = strconv.ParseInt(f[2], 10, 64)
		p.VSZ, _ = strconv.ParseInt(f[3], 10, 64)
		p.RSS, _ = strconv.ParseInt(f[4], 10, 64)
		p.WChan, p.Addr, p.State = f[5], f[6], f[7]
		p.Name = strings.Trim(strings.Join(f[8:], " "), "[]")
		out = append(out, p)
	}
	return out
}

// ParseJSON reads a JSON list of process objects, tolerating key variants.
func ParseJSON(b []byte) ([]Process, error) {
	var rows []map[string]any
	if err := json.Unmarshal(b, &rows); err != nil {
		return nil, err
	}
	str := func(m map[string]any, keys ...string) string {
		for _, k := range keys {
			switch v := m[k].(type) {
			case string:
				return v
			case float64:
				return strconv.FormatFloat(v, 'f', -1, 64)
			}
		}
		return ""
	}
	num := func(m map[string]any, keys ...string) int64 {
		n, _ := strconv.ParseInt(str(m, keys...), 10, 64)
		return n
	}
	var out []Process
	for _, m := range rows {
		p := Process{User: str(m, "user", "uid"), PID: num(m, "pid"), PPID: num(m, "ppid"),
			Name: str(m, "name", "proc_name", "process_name"), Label: str(m, "context", "label", "selinux_context"),
			CommandLine: str(m, "cmdline", "command_line")}
		if p.Name == "" && p.CommandLine != "" {
			p.Name = strings.Fields(p.CommandLine + " ")[0]
		}
		out = append(out, p)
	}
	return out, nil
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	for _, name := range Candidates {
		f, err := in.Acq.FS.Open(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			rec.FileError(name, fmt.Errorf("%s: %w", name, err))
			return nil
		}
		b, err := io.ReadAll(io.LimitReader(f, MaxSize))
		f.Close()
		rec.File(name)
		if err != nil {
			rec.FileError(name, fmt.Errorf("%s: %w", name, err))
			return nil
		}
		var ps []Process
		if t := bytes.TrimSpace(b); len(t) > 0 && (t[0] == '[' || t[0] == '{') {
			ps, err = ParseJSON(t)
			if err != nil {
				rec.FileError(name, fmt.Errorf("%s: malformed JSON: %w", name, err))
				return nil
			}
		} else {
			ps = ParsePS(b)
		}
		for _, p := range ps {
			report(rec, name, p)
		}
		return nil
	}
	return module.ErrNotFound
}

func report(rec *module.Recorder, name string, p Process) {
	rec.Record(p)
	// gatekeeperd clashes with an indicator and is a stock daemon (as MVT).
	if p.Name == "" || p.Name == "gatekeeperd" {
		return
	}
	w := module.Where{Artifact: name, What: "Running process", Record: p}
	app, _, _ := strings.Cut(p.Name, ":")
	if rec.CheckAppID(app, w) {
		return
	}
	rec.CheckProcess(p.Name, w)
}
