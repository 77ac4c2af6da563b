// Package appops owns the dumpsys appops module: the app operations
// (permissions) each package used, with their mode and recent accesses.
// It checks app ids against indicators, puts accesses on the timeline and
// flags REQUEST_INSTALL_PACKAGES (an app allowed to install other apps) and
// operations of the adb shell package.
package appops

import (
	"context"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_appops"

// Entry is one access or rejection of an operation.
type Entry struct {
	Access    string `json:"access"` // "Access" or "Reject"
	Type      string `json:"type"`   // process state, e.g. "fg-s"
	Timestamp string `json:"timestamp,omitempty"`
}

// Op is one operation of a package.
type Op struct {
	Name    string  `json:"name"`
	Mode    string  `json:"mode"`
	Entries []Entry `json:"entries"`
}

// Package is the operations of one package.
type Package struct {
	PackageName string `json:"package_name"`
	UID         string `json:"uid"`
	Ops         []Op   `json:"permissions"`
}

// Module is the dumpsys appops module.
type Module struct{ dumpmod.Module[*Parser] }

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 1, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*Parser]{New: newParser, Report: reportDump})}
}

// Parser reads the appops section line by line.
type Parser struct {
	Packages []Package
	uid      string
	cur      *Package
	started  bool
}

// Line feeds one line.
func (p *Parser) Line(line string) {
	if rest, ok := strings.CutPrefix(line, "  Uid "); ok {
		p.started = true
		p.flush()
		p.uid = strings.TrimSuffix(strings.TrimSpace(rest), ":")
		return
	}
	if !p.started {
		return
	}
	if rest, ok := strings.CutPrefix(line, "    Package "); ok {
		p.flush()
		p.cur = &Package{PackageName: strings.TrimSuffix(strings.TrimSpace(rest), ":"), UID: p.uid}
		return
	}
	if p.cur == nil {
		return
	}
	ind := dumpmod.Indent(line)
	t := strings.TrimSpace(line)
	switch {
	case ind == 6 && t != "":
		// "REQUEST_INSTALL_PACKAGES (allow):"
		// or "REQUEST_INSTALL_PACKAGES: mode=allow"
		name, mode, _ := strings.Cut(t, " ")
		mode = strings.TrimSuffix(strings.TrimSuffix(strings.TrimPrefix(mode, "("), ":"), ")")
		mode = strings.TrimPrefix(mode, "mode=")
		p.cur.Ops = append(p.cur.Ops, Op{Name: strings.TrimSuffix(name, ":"), Mode: mode, Entries: []Entry{}})
	case ind >= 10 && len(p.cur.Ops) > 0:
		// "Access: [fg-s] 2024-04-02 10:01:30.500 (-48d...)"
		kind, rest, ok := strings.Cut(t, ":")
		if !ok || (kind != "Access" && kind != "Reject") {
			return
		}
		e := Entry{Access: kind}
		if i, j := strings.IndexByte(rest, '['), strings.IndexByte(rest, ']'); i >= 0 && j > i {
			e.Type = rest[i+1 : j]
			ts := rest[j+1:]
			if k := strings.IndexByte(ts, '('); k >= 0 {
				ts = ts[:k]
			}
			if _, ok := dumpmod.ParseTime(ts); ok {
				e.Timestamp = strings.TrimSpace(ts)
			}
		}
		op := &p.cur.Ops[len(p.cur.Ops)-1]
		op.Entries = append(op.Entries, e)
	}
}

func (p *Parser) flush() {
	if p.cur != nil {
		p.Packages = append(p.Packages, *p.cur)
	}
	p.cur = nil
}

// Done finishes parsing.
func (p *Parser) Done() { p.flush() }

var risky = map[string]bool{"REQUEST_INSTALL_PACKAGES": true}

// newParser returns a fresh state and its parser.
func newParser(*module.Input) (*Parser, dumpmod.Parser) {
	p := &Parser{}
	return p, dumpmod.OnService("appops", p.Line)
}

// reportDump records what the pass parsed.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, p *Parser) error {
	path := d.Path
	p.Done()
	for _, pk := range p.Packages {
		rec.Record(pk)
		w := module.Where{Artifact: path, Label: i18n.M("android.what.appops_app"), Record: pk}
		hit := rec.CheckAppID(pk.PackageName, w)
		for _, op := range pk.Ops {
			first := events(rec, path, pk, op)
			if hit {
				continue
			}
			wo := w
			wo.Time = first
			wo.Record = Package{PackageName: pk.PackageName, UID: pk.UID, Ops: []Op{op}}
			switch {
			case risky[op.Name] && op.Mode != "deny" && op.Mode != "ignore":
				rec.Flag(model.Medium, wo,
					i18n.M("android.title.request_install_packages", "name", pk.PackageName, "op", op.Name, "mode", op.Mode),
					known.ReasonMsg(known.ReasonInstallPackages), i18n.M("android.benign.request_install_packages"))
			case pk.PackageName == "com.android.shell":
				rec.Flag(model.Low, wo, i18n.M("android.title.shell_app_op", "op", op.Name, "mode", op.Mode),
					known.ReasonMsg(known.ReasonShellAppOp), i18n.M("android.benign.shell_app_op"))
			}
		}
	}
	return nil
}

// events puts the op's accesses on the timeline and returns the earliest.
func events(rec *module.Recorder, path string, pk Package, op Op) time.Time {
	var earliest time.Time
	for _, e := range op.Entries {
		t, ok := dumpmod.ParseTime(e.Timestamp)
		if !ok {
			continue
		}
		if earliest.IsZero() || t.Before(earliest) {
			earliest = t
		}
		rec.Event(model.Event{Time: t, Event: e.Access, Artifact: path,
			DescriptionMsg: i18n.M("android.event.appop", "app", pk.PackageName, "access", e.Access, "op", op.Name, "type", e.Type)})
	}
	return earliest
}
