// Package activities owns the dumpsys activities module: the activities
// registered for intent actions in the package service's Activity Resolver
// Table, checked against app-id indicators.
package activities

import (
	"context"

	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_activities"

// Module is the dumpsys activities module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.AppliesFunc(locate.Applies))} }

// NewParser implements dumpmod.Spec.
func (Module) NewParser() dumpmod.Parser {
	r := &dumpmod.Resolver{Title: "Activity Resolver Table:"}
	return dumpmod.OnService("package", r.Line, r)
}

// Run implements module.Module on its own pass over the dump (the registry
// builds the dumpsys modules with dumpmod.Shared so they share one pass).
func (m Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return dumpmod.Run(ctx, in, rec, m)
}

// Report implements dumpmod.Spec.
func (Module) Report(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, state any) error {
	if err := dumpmod.NotFound(d); err != nil {
		return err
	}
	path := d.Path
	r := state.(*dumpmod.Resolver)
	for _, e := range r.Entries {
		rec.Record(e)
		rec.CheckAppID(e.PackageName, module.Where{Artifact: path, What: "Activity app id", Record: e})
	}
	return nil
}
