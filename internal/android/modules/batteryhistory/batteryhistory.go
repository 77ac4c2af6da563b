// Package batteryhistory owns the dumpsys battery history module: the
// batterystats history events that name an app (jobs, foreground app,
// alarms, package installs and uninstalls), placed in time from the
// history's RESET:TIME origin. App ids are checked against indicators and
// uninstalls are flagged.
package batteryhistory

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_battery_history"

// Event is one history event naming an app.
type Event struct {
	TimeElapsed string    `json:"time_elapsed"`
	Time        time.Time `json:"time,omitzero"`
	Event       string    `json:"event"`
	UID         string    `json:"uid"`
	PackageName string    `json:"package_name"`
	Service     string    `json:"service,omitempty"`
}

// Module is the dumpsys battery history module.
type Module struct{ dumpmod.Module[*Parser] }

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 2, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*Parser]{New: newParser, Report: reportDump})}
}

// Parser reads the batterystats section line by line.
type Parser struct {
	Events []Event
	state  int // 0 before "Battery History", 1 in it, 2 done
	// base is the wall-clock time at elapsed time baseAt: the RESET:TIME
	// line, or a later TIME: line (the clock was set).
	base   time.Time
	baseAt time.Duration
}

var (
	durRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\+(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$`)
	})
	evRE   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`([+-])(job|top|wake_lock)=([^:\s]+):"([^"]*)"`) })
	pkgEvt = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\b(pkginst|pkgunin)=([^:\s]+):"([^"]*)"`) })
)

// Line feeds one line.
func (p *Parser) Line(line string) {
	switch p.state {
	case 0:
		if strings.HasPrefix(line, "Battery History ") {
			p.state = 1
		}
		return
	case 2:
		return
	}
	t := strings.TrimSpace(line)
	if t == "" {
		p.state = 2
		return
	}
	elapsed, _, _ := strings.Cut(t, " ")
	if _, rest, ok := strings.Cut(t, "TIME:"); ok {
		// "0 (9) RESET:TIME: 2024-05-18-09-00-00", or a clock change later
		// in the history: "+2h00m00s000ms (2) 100 TIME:2024-05-18-12-00-00".
		if f := strings.Fields(rest); len(f) > 0 {
			b, okT := dumpmod.ParseTime(f[0])
			d, okD := elapsedOf(elapsed)
			if okT && okD {
				p.base, p.baseAt = b, d
			}
		}
		return
	}
	at := p.at(elapsed)
	for _, m := range evRE().FindAllStringSubmatch(t, -1) {
		e := Event{TimeElapsed: elapsed, Time: at, UID: m[3]}
		switch m[2] {
		case "job":
			e.Event, e.Service = map[string]string{"+": "start_job", "-": "end_job"}[m[1]], m[4]
			e.PackageName = PackageOf(m[4])
		case "top":
			e.Event, e.PackageName = map[string]string{"+": "start_top", "-": "end_top"}[m[1]], m[4]
		case "wake_lock":
			e.Event, e.Service = "wake", strings.TrimPrefix(m[4], "*walarm*:")
			e.PackageName = PackageOf(m[4])
		}
		if dumpmod.IsPackageName(e.PackageName) {
			p.Events = append(p.Events, e)
		}
	}
	for _, m := range pkgEvt().FindAllStringSubmatch(t, -1) {
		e := Event{TimeElapsed: elapsed, Time: at, UID: m[2], PackageName: m[3],
			Event: map[string]string{"pkginst": "package_install", "pkgunin": "package_uninstall"}[m[1]]}
		if dumpmod.IsPackageName(e.PackageName) {
			p.Events = append(p.Events, e)
		}
	}
}

func (p *Parser) at(elapsed string) time.Time {
	if p.base.IsZero() {
		return time.Time{}
	}
	d, ok := elapsedOf(elapsed)
	if !ok {
		return time.Time{}
	}
	return p.base.Add(d - p.baseAt)
}

// elapsedOf reads a history line's elapsed time: "0" or "+1d2h3m4s5ms".
func elapsedOf(elapsed string) (time.Duration, bool) {
	if elapsed == "0" {
		return 0, true
	}
	m := durRE().FindStringSubmatch(elapsed)
	if m == nil {
		return 0, false
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute, time.Second, time.Millisecond} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.ParseInt(m[i+1], 10, 32)
		if err != nil {
			return 0, false
		}
		d += time.Duration(n) * unit
	}
	return d, true
}

// PackageOf finds the app a job or wake lock name belongs to, or "":
//   - "com.example/.sync.Job" (a component): its package;
//   - "*walarm*:com.example/.Alarm", "*job*/com.example/.J": the same after
//     the "*kind*" prefix;
//   - "@SyncManager@com.example.sync/com.example.account:user" (a job
//     decorated by its scheduler): the component after the last '@', else
//     the first package-like part after its '/';
//   - "*alarm*:com.example.Receiver.ACTION", "com.example:wakelock" (no
//     component): the leading lower-case dotted words, at least two.
//
// MVT derives the package of wake locks without a component and of
// decorated jobs since 2026-08; spyscan kept only "*walarm*:" components
// and plain job components until 2026-12.
func PackageOf(name string) string {
	if strings.HasPrefix(name, "*") {
		if i := strings.IndexByte(name[1:], '*'); i >= 0 {
			name = strings.TrimLeft(name[i+2:], ":/")
		}
	}
	decorated := strings.Contains(name, "@")
	if decorated {
		parts := strings.Split(name, "@")
		for i := len(parts) - 1; i >= 0; i-- {
			if strings.Contains(parts[i], "/") {
				name = parts[i]
				break
			}
		}
	}
	if first, rest, ok := strings.Cut(name, "/"); ok {
		if first = strings.TrimLeft(first, "@"); dumpmod.IsPackageName(first) {
			return first
		}
		if decorated {
			for _, part := range strings.Split(rest, "/") {
				part, _, _ = strings.Cut(part, ":")
				if dumpmod.IsPackageName(part) {
					return part
				}
			}
		}
		return ""
	}
	name, _, _ = strings.Cut(name, ":")
	words := strings.Split(name, ".")
	n := 0
	for n < len(words) && words[n] != "" && words[n][0] >= 'a' && words[n][0] <= 'z' {
		n++
	}
	if n < 2 {
		return ""
	}
	if pkg := strings.Join(words[:n], "."); dumpmod.IsPackageName(pkg) {
		return pkg
	}
	return ""
}

// newParser returns a fresh state and its parser.
func newParser(*module.Input) (*Parser, dumpmod.Parser) {
	p := &Parser{}
	return p, dumpmod.OnService("batterystats", p.Line)
}

// reportDump records what the pass parsed.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, p *Parser) error {
	path := d.Path
	for _, e := range p.Events {
		rec.Record(e)
		w := module.Where{Artifact: path, Time: e.Time, Label: i18n.M("android.what.history_app"), Record: e}
		if !e.Time.IsZero() {
			rec.Event(model.Event{Time: e.Time, Event: e.Event, Artifact: path,
				Description: strings.TrimSpace(fmt.Sprintf("%s %s %s", e.Event, e.PackageName, e.Service))})
		}
		if rec.CheckAppID(e.PackageName, w) {
			continue
		}
		if e.Event == "package_uninstall" {
			rec.Flag(model.Medium, w, i18n.M("android.title.uninstalled_history", "name", e.PackageName),
				known.ReasonMsg(known.ReasonUninstall), i18n.M("android.benign.package_uninstalled"))
		}
	}
	return nil
}
