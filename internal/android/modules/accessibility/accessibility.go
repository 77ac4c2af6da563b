// Package accessibility owns the dumpsys accessibility module: the
// accessibility services installed and enabled on the phone. Spyware and
// stalkerware abuse accessibility to read the screen and act for the user,
// so every enabled service is reported and checked against app-id
// indicators.
package accessibility

import (
	"context"
	"regexp"
	"strings"
	"sync"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_accessibility"

// Service is one accessibility service.
type Service struct {
	PackageName string `json:"package_name"`
	Service     string `json:"service"`
	Enabled     bool   `json:"enabled"`
}

// Module is the dumpsys accessibility module.
type Module struct{ dumpmod.Module[*Parser] }

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 1, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*Parser]{New: newParser, Report: reportDump})}
}

// Parser reads the accessibility section line by line. It understands the
// older block lists ("installed services: {", then "N : pkg/cls" lines and
// "}") and the Android 14+ one-line lists ("Enabled services:{{pkg/cls},
// ...}"), of every state dumpsys prints: installed, enabled, binding, bound
// and crashed. A service binding, bound or crashed is one the user enabled
// (MVT reads every state since 2026-08; spyscan read the installed and
// enabled lists only until 2026-12, so a service listed only as crashed or
// bound was not seen).
type Parser struct {
	Services []Service
	list     string // the state of the block list being read, or ""
	seen     map[Service]bool
}

var braceRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\{([^{}]+?)\}`) })

// serviceStates are the lists dumpsys prints per user.
var serviceStates = []string{"installed", "enabled", "binding", "bound", "crashed"}

// Line feeds one line.
func (p *Parser) Line(line string) {
	t := strings.TrimSpace(line)
	if state, rest, ok := stateList(t); ok {
		p.list = ""
		switch {
		case rest == "{":
			p.list = state
		case strings.HasPrefix(rest, "{"):
			for _, m := range braceRE().FindAllStringSubmatch(rest, -1) {
				p.add(m[1], state != "installed")
			}
		}
		return
	}
	if p.list == "" {
		return
	}
	if strings.HasPrefix(t, "}") || strings.HasPrefix(t, "AccessibilityInputFilter") {
		p.list = ""
		return
	}
	// "0 : com.example/com.example.Service"
	if _, v, ok := strings.Cut(t, ":"); ok {
		p.add(v, p.list != "installed")
	}
}

// stateList reads the header of a list of services ("installed services:
// {", "Crashed services:{{...}}"): its state, lower-case, and what follows
// the colon.
func stateList(t string) (state, rest string, ok bool) {
	for _, s := range serviceStates {
		if len(t) > len(s) && strings.EqualFold(t[:len(s)], s) {
			if r, ok := strings.CutPrefix(t[len(s):], " services:"); ok {
				return s, strings.TrimSpace(r), true
			}
		}
	}
	return "", "", false
}

func (p *Parser) add(s string, enabled bool) {
	s, _, _ = strings.Cut(strings.TrimSpace(s), " ") // "pkg/cls (A11yTool)"
	pkg, _, ok := strings.Cut(s, "/")
	if !ok || !dumpmod.IsPackageName(pkg) {
		return
	}
	if p.seen == nil {
		p.seen = map[Service]bool{}
	}
	sv := Service{PackageName: pkg, Service: s, Enabled: enabled}
	if enabled {
		// An enabled service listed before as installed: upgrade it.
		for i := range p.Services {
			if p.Services[i].Service == s {
				p.Services[i].Enabled = true
				p.seen[sv] = true
				return
			}
		}
	}
	if p.seen[sv] || p.seen[Service{pkg, s, true}] {
		return
	}
	p.seen[sv] = true
	p.Services = append(p.Services, sv)
}

// newParser returns a fresh state and its parser.
func newParser(*module.Input) (*Parser, dumpmod.Parser) {
	p := &Parser{}
	return p, dumpmod.OnService("accessibility", p.Line)
}

// reportDump records what the pass parsed.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, p *Parser) error {
	path := d.Path
	for _, s := range p.Services {
		rec.Record(s)
		w := module.Where{Artifact: path, Label: i18n.M("android.what.accessibility_app"), Record: s}
		if rec.CheckAppID(s.PackageName, w) {
			continue
		}
		level, title := model.Low, "android.title.accessibility_installed"
		if s.Enabled {
			level, title = model.Medium, "android.title.accessibility_enabled"
		}
		rec.Flag(level, w, i18n.M(title, "service", s.Service),
			known.ReasonMsg(known.ReasonAccessibility), i18n.M("android.benign.accessibility_service"))
	}
	return nil
}
