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
type Module struct {
	dumpmod.Module[*[]props.Property]
}

// New returns the module. androidqf has its own getprop.txt (aqf_getprop),
// so this one reads bugreports only.
func New() Module {
	return Module{dumpmod.NewModule(module.NewBase(Name, 1, module.Kinds(acquisition.AndroidBugreport)),
		dumpmod.Sections[*[]props.Property]{New: newParser, Report: reportDump})}
}

// newParser returns the properties of the SYSTEM PROPERTIES block, as read.
func newParser(*module.Input) (*[]props.Property, dumpmod.Parser) {
	ps := &[]props.Property{}
	return ps, dumpmod.Parser{Match: dumpsys.IsBlock("SYSTEM PROPERTIES"), Line: func(_ *dumpsys.Section, line []byte) {
		if p, ok := props.ParseLine(string(line)); ok {
			*ps = append(*ps, p)
		}
	}}
}

// reportDump checks the properties read.
func reportDump(ctx context.Context, in *module.Input, rec *module.Recorder, d dumpmod.Dump, ps *[]props.Property) error {
	props.Check(rec, d.Path, *ps, locate.ReferenceTime(in.Acq.FS, in.Acq.Kind))
	return nil
}
