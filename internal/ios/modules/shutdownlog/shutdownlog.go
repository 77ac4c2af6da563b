// Package shutdownlog owns the ShutdownLog module: shutdown.log from a
// sysdiagnose (or a filesystem dump) lists, for each reboot, the processes
// that were still running and delayed it. As Kaspersky's iShutdown work
// showed, Pegasus-style implants show up there running from
// /private/var/db/ or /private/var/tmp/. Every client is checked as a
// process and a path; those unusual locations raise heuristic alerts.
package shutdownlog

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Spec locates shutdown.log in a sysdiagnose and in a dump.
var Spec = artifact.Spec{
	Sysdiagnose: []string{"system_logs.logarchive/Extra/shutdown.log"},
	Dump:        []string{"private/var/db/diagnostics/shutdown.log"},
}

const (
	maxLine = 1 << 20
	maxFile = 256 << 20 // a shutdown.log grows by a few lines per reboot
)

// Module is the ShutdownLog module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("shutdown_log", 1, Spec)} }

// Client is one record: a process still running at a shutdown.
type Client struct {
	Time   time.Time `json:"isodate,omitzero"`
	PID    int       `json:"pid"`
	Client string    `json:"client"`
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachFile(ctx, in, rec, Spec, maxFile, func(p string, data []byte) error {
		clients, err := Parse(data)
		for _, c := range clients { // the clients before a bad line count too
			check(rec, p, c)
		}
		return err
	})
}

// Parse reads shutdown.log: "remaining client pid: N (path)" lines, then
// the "SIGTERM: [unix time]" line of that shutdown. Clients listed after
// the last SIGTERM line are returned without a time.
func Parse(data []byte) ([]Client, error) {
	var out, pending []Client
	seen := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), maxLine)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "remaining client pid:"):
			rest := strings.TrimSpace(strings.TrimPrefix(line, "remaining client pid:"))
			pidStr, client, _ := strings.Cut(rest, " ")
			pid, _ := strconv.Atoi(pidStr)
			client = strings.TrimSpace(client)
			if i, j := strings.IndexByte(client, '('), strings.LastIndexByte(client, ')'); i >= 0 && j > i {
				client = client[i+1 : j]
			}
			if client != "" {
				pending = append(pending, Client{PID: pid, Client: client})
			}
		case strings.HasPrefix(line, "SIGTERM:"):
			var t time.Time
			if i, j := strings.IndexByte(line, '['), strings.IndexByte(line, ']'); i >= 0 && j > i {
				if sec, err := strconv.ParseInt(line[i+1:j], 10, 64); err == nil && sec > 0 && sec < 1e11 {
					t = time.Unix(sec, 0).UTC()
				}
			}
			for _, c := range pending {
				c.Time = t
				// the same client is listed at each wait step of one shutdown
				k := fmt.Sprint(c.Time.Unix(), c.PID, c.Client)
				if !seen[k] {
					seen[k] = true
					out = append(out, c)
				}
			}
			pending = nil
		}
	}
	for _, c := range pending {
		k := fmt.Sprint(0, c.PID, c.Client)
		if !seen[k] {
			seen[k] = true
			out = append(out, c)
		}
	}
	return out, sc.Err()
}

func check(rec *module.Recorder, artifact string, c Client) {
	rec.Record(c)
	rec.Event(model.Event{Time: c.Time, Event: "shutdown delayed", Artifact: artifact,
		Description: fmt.Sprintf("pid %d (%s) was still running at shutdown", c.PID, c.Client)})
	w := module.Where{Artifact: artifact, Time: c.Time, What: "Process delaying a shutdown", Record: c}
	hit := rec.CheckProcess(c.Client, w)
	w.What = "Path of a process delaying a shutdown"
	hit = rec.CheckPath(c.Client, w) || hit
	if hit {
		return
	}
	for _, loc := range suspicious {
		if strings.HasPrefix(c.Client, loc.prefix) {
			rec.Heuristic(loc.level, w,
				fmt.Sprintf("A process running from %s delayed a shutdown: %s (pid %d)", loc.prefix, c.Client, c.PID),
				"Apple's own daemons run from /System, /usr and /Applications; implants such as Pegasus were seen running from "+
					"/private/var/db/ and /private/var/tmp/ and delaying reboots (Kaspersky, iShutdown, 2024).",
				"Some developer, MDM or jailbreak tools also run from these folders.")
			return
		}
	}
}

var suspicious = []struct {
	prefix string
	level  model.Level
}{
	{"/private/var/db/com.apple.xpc.roleaccountd.staging/", model.High},
	{"/private/var/db/", model.Medium},
	{"/private/var/tmp/", model.Medium},
}
