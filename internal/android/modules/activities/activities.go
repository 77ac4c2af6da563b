// Package activities owns the dumpsys activities module: the activities
// registered for intent actions in the package service's Activity Resolver
// Table, checked against app-id indicators.
package activities

import (
	"context"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_activities"

// Module is the dumpsys activities module.
type Module struct{}

// Name implements module.Module.
func (Module) Name() string { return Name }

// Applies implements module.Module.
func (Module) Applies(k acquisition.Kind) bool { return locate.Applies(k) }

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	r := dumpmod.Resolver{Title: "Activity Resolver Table:"}
	path, err := dumpmod.Service(ctx, in, rec, "package", r.Line)
	if err != nil {
		return err
	}
	for _, e := range r.Entries {
		rec.Record(e)
		rec.CheckAppID(e.PackageName, module.Where{Artifact: path, What: "Activity app id", Record: e})
	}
	return nil
}
