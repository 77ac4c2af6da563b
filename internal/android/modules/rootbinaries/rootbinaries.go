// Package rootbinaries owns the androidqf root binaries module:
// root_binaries.json, the root tools (su, magisk, busybox...) androidqf
// found on the phone. Each is flagged and its path checked against
// indicators.
package rootbinaries

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_root_binaries"

// FileName is the artifact read.
const FileName = "root_binaries.json"

// Binary is one root binary found.
type Binary struct {
	Path        string `json:"path"`
	BinaryName  string `json:"binary_name"`
	Description string `json:"description"`
}

// Module is the androidqf root binaries module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// Parse reads the JSON list of paths.
func Parse(b []byte) ([]Binary, error) {
	var paths []any
	if err := json.Unmarshal(b, &paths); err != nil {
		return nil, err
	}
	var out []Binary
	for _, v := range paths {
		p, ok := v.(string)
		if !ok || strings.TrimSpace(p) == "" {
			continue
		}
		p = strings.TrimSpace(p)
		name := strings.ToLower(path.Base(p))
		desc, ok := known.RootBinaries[name]
		if !ok {
			desc = "Unknown root binary"
		}
		out = append(out, Binary{Path: p, BinaryName: name, Description: desc})
	}
	return out, nil
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
	b, err := io.ReadAll(io.LimitReader(f, 16<<20))
	if err == nil {
		var bins []Binary
		bins, err = Parse(b)
		for _, bin := range bins {
			rec.Record(bin)
			w := module.Where{Artifact: FileName, Label: i18n.M("android.what.root_binary"), Record: bin}
			if rec.CheckPath(bin.Path, w) {
				continue
			}
			rec.Flag(model.High, w, i18n.M("android.title.root_binary", "name", bin.BinaryName, "path", bin.Path, "description", bin.Description),
				known.ReasonMsg(known.ReasonRootBinary), i18n.M("android.benign.root_binary"))
		}
	}
	if err != nil {
		rec.FileError(FileName, fmt.Errorf("%s: %w", FileName, err))
	}
	return nil
}
