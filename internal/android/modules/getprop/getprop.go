// Package getprop owns the bugreport getprop module: the Android system
// properties of the dumpstate's SYSTEM PROPERTIES block, checked against
// android-property indicators, with the security-patch age heuristic.
package getprop

import (
	"context"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/dumpsys"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/android/props"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "dumpsys_getprop"

// Module is the bugreport getprop module.
type Module struct{ module.Base }

// New returns the module. androidqf has its own getprop.txt (aqf_getprop),
// so this one reads bugreports only.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidBugreport))} }

// NewParser implements dumpmod.Spec.
func (Module) NewParser() dumpmod.Parser {
	ps := &[]props.Property{}
	return dumpmod.Parser{Match: dumpsys.IsBlock("SYSTEM PROPERTIES"), State: ps, Line: func(_ *dumpsys.Section, line []byte) {
		if p, ok := props.ParseLine(string(line)); ok {
			*ps = append(*ps, p)
		}
	}}
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
	ps, path := *state.(*[]props.Property), d.Path
	props.Check(rec, path, ps, locate.ReferenceTime(in.Acq.FS, in.Acq.Kind))
	return nil
}
