// Package processes owns the sysdiagnose_processes module: ps.txt, the
// snapshot of every running process that a sysdiagnose takes (the output
// of ps with the USER, UID, PRSNA, PID, PPID, ..., STARTED, TIME and
// COMMAND columns). Each process's executable is checked against the
// process-name and file-path indicators, and an executable running from a
// folder where Apple's code never runs but implants did (/private/var/db/,
// /private/var/tmp/) is flagged, as for shutdown.log.
package processes

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"path"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/module"
)

// Spec locates ps.txt at the top of a sysdiagnose.
var Spec = artifact.Spec{Sysdiagnose: []string{"ps.txt"}}

const (
	// MaxLine bounds one line of ps.txt; a longer one fails the parse.
	MaxLine = 64 << 10
	maxFile = 16 << 20 // a few hundred processes make ~100 KB
)

// Module is the sysdiagnose_processes module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("sysdiagnose_processes", 1, Spec)} }

// Process is one line of ps.txt (a record).
type Process struct {
	User    string `json:"user"`
	UID     int    `json:"uid"`
	PID     int    `json:"pid"`
	PPID    int    `json:"ppid"`
	Started string `json:"started,omitempty"` // as ps prints it, in the device's local time without a date
	Command string `json:"command"`
	// Executable is the command's program path: its first word, or up to
	// the end of the first word after ".app/" for an app whose name has
	// spaces.
	Executable string `json:"executable"`
}

// ErrNoHeader means the file has no ps header line (USER ... PID ... COMMAND).
var ErrNoHeader = errors.New("no ps header line (USER ... PID ... COMMAND)")

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachFile(ctx, in, rec, Spec, maxFile, func(p string, data []byte) error {
		procs, err := Parse(data)
		for _, pr := range procs {
			check(rec, p, pr)
		}
		return err
	})
}

// columns are the positions of the header's columns spyscan reads.
type columns struct {
	n                                  int // header words; COMMAND is the last
	user, uid, pid, ppid, started, cmd int
}

func header(line string) (columns, bool) {
	words := strings.Fields(line)
	c := columns{n: len(words), user: -1, uid: -1, pid: -1, ppid: -1, started: -1, cmd: -1}
	for i, w := range words {
		switch w {
		case "USER":
			c.user = i
		case "UID":
			c.uid = i
		case "PID":
			c.pid = i
		case "PPID":
			c.ppid = i
		case "STARTED":
			c.started = i
		case "COMMAND":
			c.cmd = i
		}
	}
	return c, c.pid >= 0 && c.cmd == len(words)-1
}

// Parse reads ps.txt. The command is everything after the header's other
// columns, spaces included. Lines before the header, blank lines and
// lines with too few columns are passed over.
func Parse(data []byte) ([]Process, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 16<<10), MaxLine)
	var cols columns
	found := false
	var out []Process
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if !found {
			cols, found = header(line)
			continue
		}
		if p, ok := parseLine(line, cols); ok {
			out = append(out, p)
		}
	}
	if err := sc.Err(); err != nil {
		return out, err
	}
	if !found {
		return nil, ErrNoHeader
	}
	return out, nil
}

// parseLine splits the first n-1 words off line; the rest is the command.
func parseLine(line string, c columns) (Process, bool) {
	words := make([]string, 0, c.n)
	rest := line
	for len(words) < c.n-1 {
		rest = strings.TrimLeft(rest, " \t")
		i := strings.IndexAny(rest, " \t")
		if rest == "" || i < 0 {
			return Process{}, false
		}
		words, rest = append(words, rest[:i]), rest[i:]
	}
	cmd := strings.TrimSpace(rest)
	if cmd == "" {
		return Process{}, false
	}
	pid, err := strconv.Atoi(words[c.pid])
	if err != nil {
		return Process{}, false
	}
	p := Process{PID: pid, Command: cmd, Executable: Executable(cmd)}
	if c.user >= 0 {
		p.User = words[c.user]
	}
	if c.uid >= 0 {
		p.UID, _ = strconv.Atoi(words[c.uid])
	}
	if c.ppid >= 0 {
		p.PPID, _ = strconv.Atoi(words[c.ppid])
	}
	if c.started >= 0 {
		p.Started = words[c.started]
	}
	return p, true
}

// Executable returns the program path of a ps command line: the first
// word, or, for an app bundle, up to the end of the word after ".app/"
// ("/private/var/containers/Bundle/Application/…/My App.app/My App -x"
// gives ".../My App.app/My App"; the name after ".app/" is the bundle's
// name again, so its words are taken as many as the bundle's).
func Executable(cmd string) string {
	if i := strings.Index(cmd, ".app/"); i > 0 && !strings.Contains(cmd[:i], " -") && !strings.Contains(cmd[:i], " /") {
		start := strings.LastIndex(cmd[:i], "/") + 1
		bundle := cmd[start:i] // "My App"
		after := cmd[i+len(".app/"):]
		if strings.HasPrefix(after, bundle) {
			return cmd[:i+len(".app/")+len(bundle)]
		}
		if j := strings.IndexAny(after, " \t"); j >= 0 {
			return cmd[:i+len(".app/")+j]
		}
		return cmd
	}
	if i := strings.IndexAny(cmd, " \t"); i >= 0 {
		return cmd[:i]
	}
	return cmd
}

func check(rec *module.Recorder, artifact string, p Process) {
	rec.Record(p)
	w := module.Where{Artifact: artifact, Label: i18n.M("ios.sysdiagnose_processes.what_process"), Record: p}
	hit := rec.CheckProcess(path.Base(p.Executable), w)
	w.Label = i18n.M("ios.sysdiagnose_processes.what_path")
	if strings.HasPrefix(p.Executable, "/") {
		hit = rec.CheckPath(p.Executable, w) || hit
	}
	if hit {
		return
	}
	if folder, level, ok := iosmod.UnusualFolder(p.Executable); ok {
		rec.Flag(level, w, i18n.M("ios.sysdiagnose_processes.unusual_folder.title", "folder", folder, "exe", p.Executable, "pid", p.PID),
			i18n.M("ios.sysdiagnose_processes.unusual_folder.reason"), i18n.M("ios.sysdiagnose_processes.unusual_folder.benign"))
	}
}
