// Package activities owns the dumpsys activities module: the activities
// of the package service's Activity Resolver Table, in every category
// (intent actions, MIME types, schemes), checked against app-id indicators.
package activities

import (
	"context"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_activities"

// Module is the dumpsys activities module.
type Module struct {
	dumpmod.Module[*dumpmod.Resolver]
}

// New returns the module.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 2, module.AppliesFunc(locate.Applies)), dumpmod.Sections[*dumpmod.Resolver]{New: newParser, Report: reportDump})}
}

// newParser returns a fresh state and its parser.
func newParser(*module.Input) (*dumpmod.Resolver, dumpmod.Parser) {
	r := &dumpmod.Resolver{Title: "Activity Resolver Table:"}
	return r, dumpmod.OnService("package", r.Line)
}

// reportDump records what the pass parsed.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, r *dumpmod.Resolver) error {
	path := d.Path
	for _, e := range r.Entries {
		rec.Record(e)
		rec.CheckAppID(e.PackageName, module.Where{Artifact: path, Label: i18n.M("android.what.activity_app"), Record: e})
	}
	return nil
}
