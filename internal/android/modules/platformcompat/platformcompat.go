// Package platformcompat owns the dumpsys platform_compat module. Each
// compatibility change ("ChangeId(168419799; name=DOWNSCALED; ...)") lists
// the packages it is overridden for: rawOverrides keeps the package names
// of apps the phone has known, including apps since uninstalled, and
// packageOverrides those the override applies to now. Every package of
// every change is checked against app-id indicators.
package platformcompat

import (
	"context"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_platform_compat"

// Override is one package listed in a change's override map.
type Override struct {
	PackageName string `json:"package_name"`
	Change      string `json:"change"` // the change's name, else its id
	ChangeID    int64  `json:"change_id"`
	Map         string `json:"overrides"` // "rawOverrides" or "packageOverrides"
	Value       string `json:"value"`     // "true", "false" or "[minVersion,maxVersion,enabled]"
}

// Module is the dumpsys platform_compat module.
type Module struct{ dumpmod.Module[*[]Override] }

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 2, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*[]Override]{New: newParser, Report: reportDump})}
}

// overrideMaps are the maps of a change line that name packages, as
// CompatChange.toString prints them.
var overrideMaps = []string{"rawOverrides", "packageOverrides"}

// ParseLine reads the override maps of a "ChangeId(<id>; name=<name>;
// ...)" line of any change (MVT read the DOWNSCALED change only until
// 2026-08, spyscan until 2026-12).
func ParseLine(line string) []Override {
	rest, ok := strings.CutPrefix(strings.TrimSpace(line), "ChangeId(")
	if !ok {
		return nil
	}
	idText, rest, _ := strings.Cut(rest, ";")
	id, err := strconv.ParseInt(strings.TrimSpace(idText), 10, 64)
	if err != nil {
		return nil
	}
	change := idText
	if _, after, ok := strings.Cut(rest, "name="); ok {
		change, _, _ = strings.Cut(after, ";")
		change = strings.TrimSpace(change)
	}
	var out []Override
	for _, m := range overrideMaps {
		_, after, ok := strings.Cut(rest, m+"={")
		if !ok {
			continue
		}
		body, _, _ := strings.Cut(after, "}")
		for _, e := range splitEntries(body) {
			name, value, _ := strings.Cut(e, "=")
			if dumpmod.IsPackageName(name) {
				out = append(out, Override{PackageName: name, Change: change, ChangeID: id, Map: m, Value: value})
			}
		}
	}
	return out
}

// splitEntries splits "a.b=false, c.d=[1,5,true]" at the commas outside
// square brackets (a version-bounded override prints as [min,max,enabled]).
func splitEntries(body string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '[':
			depth++
		case ']':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(body[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(body[start:]))
}

// newParser returns a fresh state and its parser.
func newParser(*module.Input) (*[]Override, dumpmod.Parser) {
	all := &[]Override{}
	return all, dumpmod.OnService("platform_compat", func(line string) { *all = append(*all, ParseLine(line)...) })
}

// reportDump records what the pass parsed.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, state *[]Override) error {
	path := d.Path
	all := *state
	checked := map[string]bool{} // one alert per package, however many changes list it
	for _, o := range all {
		rec.Record(o)
		if !checked[o.PackageName] {
			checked[o.PackageName] = true
			rec.CheckAppID(o.PackageName, module.Where{Artifact: path, Label: i18n.M("android.what.compat_app"), Record: o})
		}
	}
	return nil
}
