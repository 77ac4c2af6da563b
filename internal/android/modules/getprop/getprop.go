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
type Module struct{}

// Name implements module.Module.
func (Module) Name() string { return Name }

// Applies implements module.Module: androidqf has its own getprop.txt
// (aqf_getprop), so this reads bugreports only.
func (Module) Applies(k acquisition.Kind) bool { return k == acquisition.AndroidBugreport }

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	var ps []props.Property
	path, err := dumpmod.Stream(ctx, in, rec, dumpsys.IsBlock("SYSTEM PROPERTIES"), func(_ *dumpsys.Section, line []byte) error {
		if p, ok := props.ParseLine(string(line)); ok {
			ps = append(ps, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	props.Check(rec, path, ps, locate.ReferenceTime(in.Acq.FS, in.Acq.Kind))
	return nil
}
