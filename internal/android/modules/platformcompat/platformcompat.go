// Package platformcompat owns the dumpsys platform_compat module. The
// DOWNSCALED change's rawOverrides keep the package names of apps the phone
// has known, including apps since uninstalled; they are checked against
// app-id indicators.
package platformcompat

import (
	"context"
	"strings"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_platform_compat"

// Override is one package listed in a rawOverrides map.
type Override struct {
	PackageName string `json:"package_name"`
	Change      string `json:"change"`
}

// Module is the dumpsys platform_compat module.
type Module struct{ dumpmod.Module[*[]Override] }

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 1, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*[]Override]{New: newParser, Report: reportDump})}
}

// ParseLine reads the rawOverrides of a "ChangeId(168419799; name=DOWNSCALED; ...)" line.
func ParseLine(line string) []Override {
	if !strings.HasPrefix(line, "ChangeId(168419799; name=DOWNSCALED;") {
		return nil
	}
	_, rest, ok := strings.Cut(line, "rawOverrides={")
	if !ok {
		return nil
	}
	body, _, _ := strings.Cut(rest, "}")
	var out []Override
	for _, e := range strings.Split(body, ",") {
		name, _, _ := strings.Cut(strings.TrimSpace(e), "=")
		if dumpmod.IsPackageName(name) {
			out = append(out, Override{PackageName: name, Change: "DOWNSCALED"})
		}
	}
	return out
}

// newParser returns a fresh state and its parser.
func newParser() (*[]Override, dumpmod.Parser) {
	all := &[]Override{}
	return all, dumpmod.OnService("platform_compat", func(line string) { *all = append(*all, ParseLine(line)...) })
}

// reportDump records what the pass parsed.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, state *[]Override) error {
	path := d.Path
	all := *state
	for _, o := range all {
		rec.Record(o)
		rec.CheckAppID(o.PackageName, module.Where{Artifact: path, Label: i18n.M("android.what.compat_app"), Record: o})
	}
	return nil
}
