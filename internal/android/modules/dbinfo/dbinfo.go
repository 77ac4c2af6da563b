// Package dbinfo owns the dumpsys dbinfo module: the SQLite operations
// recently executed by apps, with the database paths (which name the app)
// checked against app-id indicators and put on the timeline.
package dbinfo

import (
	"context"
	"regexp"
	"strings"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_dbinfo"

// Operation is one recently executed database operation.
type Operation struct {
	Time   string `json:"isodate"`
	PID    string `json:"pid,omitempty"`
	Action string `json:"action"`
	SQL    string `json:"sql"`
	Path   string `json:"path"`
}

// Module is the dumpsys dbinfo module.
type Module struct{ dumpmod.Module[*Parser] }

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 1, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*Parser]{New: newParser, Report: reportDump})}
}

var opRE = regexp.MustCompile(`\[((?:[0-9]{4}-)?[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3})\]\s*(?:\[Pid:\((\d+)\)\])?([\w-]+).*?sql="(.+?)"`)

// Parser reads the dbinfo section line by line.
type Parser struct {
	Ops  []Operation
	pool string
	inOp bool
}

// Line feeds one line.
func (p *Parser) Line(line string) {
	if v, ok := strings.CutPrefix(line, "Connection pool for "); ok {
		p.pool, p.inOp = strings.TrimSuffix(v, ":"), false
		return
	}
	if p.pool == "" {
		return
	}
	if strings.TrimSpace(line) == "Most recently executed operations:" {
		p.inOp = true
		return
	}
	if !p.inOp {
		return
	}
	if !strings.HasPrefix(line, "        ") {
		p.inOp, p.pool = false, ""
		return
	}
	m := opRE.FindStringSubmatch(line)
	if m == nil {
		return
	}
	p.Ops = append(p.Ops, Operation{Time: m[1], PID: m[2], Action: m[3], SQL: m[4], Path: p.pool})
}

// newParser returns a fresh state and its parser.
func newParser() (*Parser, dumpmod.Parser) {
	p := &Parser{}
	return p, dumpmod.OnService("dbinfo", p.Line)
}

// reportDump records what the pass parsed.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, p *Parser) error {
	path := d.Path
	for _, op := range p.Ops {
		rec.Record(op)
		t, _ := dumpmod.ParseTime(op.Time) // "05-20 ..." has no year: no time
		w := module.Where{Artifact: path, Time: t, Label: i18n.M("android.what.dbinfo_app"), Record: op}
		for _, part := range strings.Split(op.Path, "/") {
			if dumpmod.IsPackageName(part) && rec.CheckAppID(part, w) {
				break
			}
		}
		if !t.IsZero() {
			rec.Event(model.Event{Time: t, Event: op.Action, Artifact: path,
				DescriptionMsg: i18n.M("android.event.dbinfo", "action", op.Action, "path", op.Path, "sql", op.SQL)})
		}
	}
	return nil
}
