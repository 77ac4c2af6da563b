// Package dbinfo owns the dumpsys dbinfo module: the SQLite operations
// recently executed by apps, with the database paths (which name the app)
// checked against app-id indicators and put on the timeline.
package dbinfo

import (
	"context"
	"regexp"
	"strings"
	"sync"

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
	// OpPath is the database the operation names ("..., path=/data/..."),
	// when it is not the pool's (an attached database).
	OpPath string `json:"operation_path,omitempty"`
}

// Module is the dumpsys dbinfo module.
type Module struct{ dumpmod.Module[*Parser] }

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 2, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*Parser]{New: newParser, Report: reportDump})}
}

var (
	opRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\[((?:[0-9]{4}-)?[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3})\]\s*(?:\[Pid:\((\d+)\)\])?([\w-]+).*?sql="(.+?)"`)
	})
	opPathRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`", path=(\S+)$`) })
)

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
		// The operations of one connection end; the pool's other
		// connections ("Available non-primary connections:", "Connection
		// #1:") list theirs after (MVT reads them since 2026-08, spyscan
		// dropped them until 2026-12).
		p.inOp = false
		return
	}
	m := opRE().FindStringSubmatch(line)
	if m == nil {
		return
	}
	op := Operation{Time: m[1], PID: m[2], Action: m[3], SQL: m[4], Path: p.pool}
	if pm := opPathRE().FindStringSubmatch(line); pm != nil && pm[1] != p.pool {
		op.OpPath = pm[1]
	}
	p.Ops = append(p.Ops, op)
}

// checkPath checks the folder names of a database path that look like a
// package ("/data/user/0/<package>/databases/...") as app ids.
func checkPath(rec *module.Recorder, path string, w module.Where) {
	for _, part := range strings.Split(path, "/") {
		if dumpmod.IsPackageName(part) && rec.CheckAppID(part, w) {
			return
		}
	}
}

// newParser returns a fresh state and its parser.
func newParser(*module.Input) (*Parser, dumpmod.Parser) {
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
		checkPath(rec, op.Path, w)
		if op.OpPath != "" {
			checkPath(rec, op.OpPath, w)
		}
		if !t.IsZero() {
			rec.Event(model.Event{Time: t, Event: op.Action, Artifact: path,
				DescriptionMsg: i18n.M("android.event.dbinfo", "action", op.Action, "path", op.Path, "sql", op.SQL)})
		}
	}
	return nil
}
