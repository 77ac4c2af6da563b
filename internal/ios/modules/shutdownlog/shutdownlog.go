// Package shutdownlog owns the ShutdownLog module: shutdown.log lists, for
// each reboot, the processes that were still running and delayed it. As
// Kaspersky's iShutdown work showed, Pegasus-style implants show up there
// running from /private/var/db/ or /private/var/tmp/, and infected devices
// log more delay notices per reboot.
//
// Every log is read: shutdown.log and the rotated shutdown.*.log beside it,
// in a sysdiagnose (system_logs.logarchive/Extra/) and in a filesystem dump
// (private/var/db/diagnostics/). Every format seen is understood: the
// "After Xs, these clients are still here:" notices followed by indented
// "remaining client pid: N (path)" lines and a "SIGTERM: [unix time]" line
// (iOS 15 to 18), the older one-line "After Xs, remaining client pid: ..."
// form, and the form whose client paths end with the binary's UUID (iOS 26,
// Kaspersky's published 2021 Pegasus client, and a real macOS shutdown.log
// of 2017-2019, which the parser reads as a plain reading of its text
// does: 19 reboots, 88 clients) and whose reboots may carry no SIGTERM line
// (a reboot then ends where the elapsed time starts again from a lower
// value).
//
// Every client is checked as a process (its executable's name, without a
// trailing UUID) and as a path; unusual folders and reboots held up many
// times raise heuristic alerts.
package shutdownlog

import (
	"bufio"
	"bytes"
	"context"
	"path"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Spec locates the shutdown logs, current and rotated, in a sysdiagnose and
// in a dump.
var Spec = artifact.Spec{
	Sysdiagnose: []string{"system_logs.logarchive/Extra/shutdown.log", "system_logs.logarchive/Extra/shutdown.*.log"},
	Dump:        []string{"private/var/db/diagnostics/shutdown.log", "private/var/db/diagnostics/shutdown.*.log"},
}

const (
	maxLine = 1 << 20
	maxFile = 256 << 20 // a shutdown.log grows by a few lines per reboot
	// manyNotices: more delay notices than this in one reboot is worth a
	// look (Kaspersky found a handful typical, more on infected devices).
	manyNotices = 3
)

// Module is the ShutdownLog module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("shutdown_log", 2, Spec)} }

// Client is one record: a process still running at a shutdown.
type Client struct {
	Time time.Time `json:"isodate,omitzero"` // of the SIGTERM line; zero when the reboot has none
	PID  int       `json:"pid"`
	// Client is the path as logged; Executable is that path without the
	// binary UUID that iOS 26 appends (set only when it differs).
	Client     string `json:"client"`
	Executable string `json:"executable,omitempty"`
	// Delay is the elapsed time, in seconds, of the last delay notice that
	// listed the client; TimesDelayed is how many notices listed it.
	Delay        float64 `json:"delay"`
	TimesDelayed int     `json:"times_delayed"`
}

// Reboot is one shutdown: its clients and its delay notices.
type Reboot struct {
	Time    time.Time
	Notices int // "these clients are still here" notices
	Clients []Client
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	seen := map[string]bool{} // a reboot kept in two rotated files is reported once
	return iosmod.ForEachFile(ctx, in, rec, Spec, maxFile, func(p string, data []byte) error {
		reboots, err := Parse(data)
		for _, r := range reboots { // the reboots before a bad line count too
			check(rec, p, r, seen)
		}
		return err
	})
}

var (
	clientRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`remaining client pid:\s*(\d+)\s*\((.*)\)`) })
	afterRE  = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^After\s+([0-9]+(?:\.[0-9]+)?)\s*s\b`) })
	timeRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^SIGTERM:\s*\[(\d{1,11})\]`) })
	uuidRE   = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`/[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)
	})
)

// parser accumulates the reboot being read.
type parser struct {
	out     []Reboot
	cur     Reboot
	index   map[string]int // pid+client → position in cur.Clients
	elapsed float64        // of the last delay notice
	notice  bool           // a notice was seen in this reboot
}

func (p *parser) flush(t time.Time) {
	if len(p.cur.Clients) > 0 || p.cur.Notices > 0 {
		p.cur.Time = t
		for i := range p.cur.Clients {
			p.cur.Clients[i].Time = t
		}
		p.out = append(p.out, p.cur)
	}
	p.cur, p.index, p.elapsed, p.notice = Reboot{}, map[string]int{}, 0, false
}

func (p *parser) client(pid int, client string, listed bool) {
	k := strconv.Itoa(pid) + " " + client
	i, ok := p.index[k]
	if !ok {
		c := Client{PID: pid, Client: client}
		if exe := Executable(client); exe != client {
			c.Executable = exe
		}
		p.cur.Clients = append(p.cur.Clients, c)
		i = len(p.cur.Clients) - 1
		p.index[k] = i
	}
	if listed {
		p.cur.Clients[i].Delay = p.elapsed
		p.cur.Clients[i].TimesDelayed++
	}
}

// Parse reads a shutdown log into reboots. A reboot ends at its SIGTERM
// line with a time, or where the elapsed time of the delay notices drops
// (a new shutdown began); what follows the last one is a reboot without a
// time.
func Parse(data []byte) ([]Reboot, error) {
	p := &parser{index: map[string]int{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if m := afterRE().FindStringSubmatch(line); m != nil {
			d, _ := strconv.ParseFloat(m[1], 64)
			if p.notice && d < p.elapsed {
				p.flush(time.Time{})
			}
			p.elapsed, p.notice = d, true
			if strings.Contains(line, "these clients are still here") {
				p.cur.Notices++
			}
		}
		if m := clientRE().FindStringSubmatch(line); m != nil {
			pid, _ := strconv.Atoi(m[1])
			if c := strings.TrimSpace(m[2]); c != "" {
				// a client on a SIGTERM line was signalled, not listed by a notice
				p.client(pid, c, !strings.HasPrefix(line, "SIGTERM"))
			}
		}
		if m := timeRE().FindStringSubmatch(line); m != nil {
			if sec, err := strconv.ParseInt(m[1], 10, 64); err == nil && sec > 0 {
				p.flush(time.Unix(sec, 0).UTC())
			}
		}
	}
	p.flush(time.Time{})
	return p.out, sc.Err()
}

// Executable returns a client path without the binary UUID component that
// iOS 26 appends ("/usr/libexec/nfcd/EBFB3E7F-…" → "/usr/libexec/nfcd").
func Executable(client string) string {
	if loc := uuidRE().FindStringIndex(client); loc != nil && loc[0] > 0 {
		return client[:loc[0]]
	}
	return client
}

func check(rec *module.Recorder, artifact string, r Reboot, seen map[string]bool) {
	date := iosmod.ISO(r.Time)
	for _, c := range r.Clients {
		k := strconv.FormatInt(c.Time.Unix(), 10) + " " + strconv.Itoa(c.PID) + " " + c.Client
		if !c.Time.IsZero() {
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		checkClient(rec, artifact, c)
	}
	if r.Notices > manyNotices {
		w := module.Where{Artifact: artifact, Time: r.Time, Record: map[string]any{"isodate": date, "notices": r.Notices, "clients": len(r.Clients)}}
		when := date
		if when == "" {
			when = "?"
		}
		rec.Flag(model.Low, w, i18n.M("ios.shutdown_log.many_notices.title", "n", r.Notices, "date", when),
			i18n.M("ios.shutdown_log.many_notices.reason"), i18n.M("ios.shutdown_log.many_notices.benign"))
	}
}

func checkClient(rec *module.Recorder, artifact string, c Client) {
	rec.Record(c)
	exe := c.Client
	if c.Executable != "" {
		exe = c.Executable
	}
	rec.Event(model.Event{Time: c.Time, Event: "shutdown delayed", Artifact: artifact,
		DescriptionMsg: i18n.M("ios.shutdown_log.event", "pid", c.PID, "client", exe)})
	w := module.Where{Artifact: artifact, Time: c.Time, Label: i18n.M("ios.shutdown_log.what_process"), Record: c}
	hit := rec.CheckProcess(path.Base(exe), w)
	w.Label = i18n.M("ios.shutdown_log.what_path")
	hit = rec.CheckPath(exe, w) || hit
	if hit {
		return
	}
	if folder, level, ok := iosmod.UnusualFolder(exe); ok {
		rec.Flag(level, w, i18n.M("ios.shutdown_log.unusual_folder.title", "folder", folder, "client", exe, "pid", c.PID),
			i18n.M("ios.shutdown_log.unusual_folder.reason"), i18n.M("ios.shutdown_log.unusual_folder.benign"))
	}
}
