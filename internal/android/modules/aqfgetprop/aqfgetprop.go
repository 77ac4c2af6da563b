// Package aqfgetprop owns the androidqf getprop module: getprop.txt, the
// Android system properties, checked against android-property indicators,
// with the security-patch age heuristic.
package aqfgetprop

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/locate"
	"github.com/spyscan/spyscan/internal/android/props"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_getprop"

// FileName is the artifact read.
const FileName = "getprop.txt"

// Module is the androidqf getprop module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// Parse reads getprop output.
func Parse(r io.Reader) ([]props.Property, error) {
	var out []props.Property
	sc := bufio.NewScanner(io.LimitReader(r, 64<<20))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		if p, ok := props.ParseLine(sc.Text()); ok {
			out = append(out, p)
		}
	}
	return out, sc.Err()
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	f, err := in.Acq.FS.Open(FileName)
	if errors.Is(err, fs.ErrNotExist) {
		return module.ErrNotFound
	}
	if err != nil {
		rec.FileError(FileName, fmt.Errorf("%s: %w", FileName, err))
		return nil
	}
	defer f.Close()
	rec.File(FileName)
	ps, err := Parse(f)
	if err != nil {
		rec.FileError(FileName, fmt.Errorf("%s: %w", FileName, err))
	}
	if len(ps) == 0 && err == nil {
		rec.FileError(FileName, fmt.Errorf("%s: no property lines", FileName))
	}
	props.Check(rec, FileName, ps, locate.ReferenceTime(in.Acq.FS, in.Acq.Kind))
	return nil
}
