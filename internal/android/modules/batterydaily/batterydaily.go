// Package batterydaily owns the dumpsys battery daily module: the "Package
// changes" of batterystats' daily stats, which keep package updates,
// uninstalls (vers=0) and, by comparing versions, downgrades, for days
// after the fact. App ids are checked against indicators; uninstalls and
// downgrades are flagged, since spyware removes itself and exploits may
// need an older, vulnerable app.
package batterydaily

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_battery_daily"

// Change is one package change of one day.
type Change struct {
	Action       string `json:"action"` // update, uninstall, downgrade
	From         string `json:"from"`
	To           string `json:"to"`
	PackageName  string `json:"package_name"`
	Vers         string `json:"vers"`
	PreviousVers string `json:"previous_vers,omitempty"`
}

// Module is the dumpsys battery daily module.
type Module struct{ dumpmod.Module[*Parser] }

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 1, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*Parser]{New: newParser, Report: reportDump})}
}

// Parser reads the batterystats section line by line.
type Parser struct {
	Changes  []Change
	from, to string
	seen     map[string]bool
}

// Line feeds one line.
func (p *Parser) Line(line string) {
	if rest, ok := strings.CutPrefix(line, "  Daily from "); ok {
		f, t, ok := strings.Cut(strings.TrimSuffix(strings.TrimSpace(rest), ":"), " to ")
		if !ok {
			p.from = ""
			return
		}
		p.from, p.to = f, t
		p.seen = map[string]bool{}
		return
	}
	if p.from == "" {
		return
	}
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), "Update ")
	if !ok {
		return
	}
	name, vers, ok := strings.Cut(rest, " vers=")
	if !ok || !dumpmod.IsPackageName(name) {
		return
	}
	vers = strings.TrimSpace(vers)
	if p.seen[name+" "+vers] {
		return
	}
	p.seen[name+" "+vers] = true
	p.Changes = append(p.Changes, Change{Action: "update", From: p.from, To: p.to, PackageName: name, Vers: vers})
}

// Classify marks uninstalls and downgrades, in day order.
func (p *Parser) Classify() {
	sort.SliceStable(p.Changes, func(i, j int) bool {
		a, b := p.Changes[i], p.Changes[j]
		if a.From != b.From {
			return a.From < b.From
		}
		return a.To < b.To
	})
	last := map[string]int64{}
	for i := range p.Changes {
		c := &p.Changes[i]
		if c.Vers == "0" {
			c.Action = "uninstall"
			delete(last, c.PackageName)
			continue
		}
		v, err := strconv.ParseInt(c.Vers, 10, 64)
		if err != nil {
			continue
		}
		if prev, ok := last[c.PackageName]; ok && v < prev {
			c.Action, c.PreviousVers = "downgrade", strconv.FormatInt(prev, 10)
		}
		last[c.PackageName] = v
	}
}

// newParser returns a fresh state and its parser.
func newParser(*module.Input) (*Parser, dumpmod.Parser) {
	p := &Parser{}
	return p, dumpmod.OnService("batterystats", p.Line)
}

// reportDump records what the pass parsed.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, p *Parser) error {
	path := d.Path
	p.Classify()
	for _, c := range p.Changes {
		rec.Record(c)
		t, _ := dumpmod.ParseTime(c.From)
		w := module.Where{Artifact: path, Time: t, Label: i18n.M("android.what.daily_app"), Record: c}
		desc := i18n.M("android.event.daily_update", "name", c.PackageName, "vers", c.Vers)
		switch c.Action {
		case "uninstall":
			desc = i18n.M("android.event.daily_uninstall", "name", c.PackageName)
		case "downgrade":
			desc = i18n.M("android.event.daily_downgrade", "name", c.PackageName, "from", c.PreviousVers, "to", c.Vers)
		}
		if !t.IsZero() {
			rec.Event(model.Event{Time: t, Event: "battery_daily", Artifact: path, DescriptionMsg: desc})
		}
		if rec.CheckAppID(c.PackageName, w) {
			continue
		}
		switch c.Action {
		case "uninstall":
			rec.Flag(model.Medium, w, i18n.M("android.title.uninstalled_daily", "name", c.PackageName, "from", c.From),
				known.ReasonMsg(known.ReasonUninstall), i18n.M("android.benign.package_uninstalled"))
		case "downgrade":
			rec.Flag(model.Medium, w, i18n.M("android.title.downgraded", "name", c.PackageName, "from", c.PreviousVers, "to", c.Vers),
				known.ReasonMsg(known.ReasonDowngrade), i18n.M("android.benign.package_downgraded"))
		}
	}
	return nil
}
