// Package magiskmodules owns the Magisk modules androidqf lists when it has
// root (magisk_modules/manifest.json, and magisk_modules/NNNN/module.prop
// for each module whose properties it copied): each module's identity
// (module.prop) and state (disable, update and remove files). A Magisk
// module runs code as root at every boot and can replace or hide system
// files, so each is flagged MEDIUM (magisk_module) for review; its id is
// checked as an app id and a process name, its device path as a file path
// and its updateJson as a URL. MVT lists the same modules and raises
// nothing. A module.prop path that leaves magisk_modules/ is refused and
// named as a problem, never read.
package magiskmodules

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/android/qfmanifest"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_magisk_modules"

// Where androidqf writes it.
const (
	Dir      = "magisk_modules"
	Manifest = Dir + "/manifest.json"
)

// MaxProp bounds one module.prop (androidqf does not copy larger ones).
const MaxProp = 1 << 20

// Module is one Magisk module, with MVT's fields. Disabled, RemovalPending
// and UpdatePending are null when androidqf could not check every state
// file.
type Module struct {
	DevicePath         string            `json:"device_path"`
	DirectoryName      string            `json:"directory_name"`
	ModulePropPath     string            `json:"module_prop_path,omitempty"`
	ModulePropStatus   string            `json:"module_prop_status"`
	StateFiles         []string          `json:"state_files"`
	StateFilesComplete bool              `json:"state_files_complete"`
	Disabled           *bool             `json:"disabled"`
	RemovalPending     *bool             `json:"removal_pending"`
	UpdatePending      *bool             `json:"update_pending"`
	Properties         map[string]string `json:"properties"`
	ID                 string            `json:"id,omitempty"`
	ModName            string            `json:"name,omitempty"`
	Version            string            `json:"version,omitempty"`
	VersionCode        string            `json:"version_code,omitempty"`
	Author             string            `json:"author,omitempty"`
	Description        string            `json:"description,omitempty"`
	UpdateJSON         string            `json:"update_json,omitempty"`
}

// ParseProp reads a module.prop: "key=value" lines (the value may hold
// '='), blank lines, "#" comments and lines without '=' skipped; keys and
// values trimmed; a later key replaces an earlier one.
func ParseProp(s string) map[string]string {
	out := map[string]string{}
	for line := range strings.Lines(s) {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if k = strings.TrimSpace(k); ok && k != "" {
			out[k] = strings.TrimSpace(v)
		}
	}
	return out
}

// Entry turns one manifest entry into a Module (without its properties).
func Entry(e map[string]any) Module {
	m := Module{DevicePath: qfmanifest.Str(e, "device_path"), DirectoryName: qfmanifest.Str(e, "directory_name"),
		ModulePropPath: qfmanifest.Str(e, "module_prop_path"), ModulePropStatus: qfmanifest.Str(e, "module_prop_status"),
		StateFiles: []string{}, Properties: map[string]string{}}
	if st, ok := qfmanifest.Strings(e, "state_files"); ok {
		m.StateFiles = st
		m.StateFilesComplete = e["state_files_complete"] == true
	}
	if m.StateFilesComplete {
		has := func(s string) *bool { b := slices.Contains(m.StateFiles, s); return &b }
		m.Disabled, m.RemovalPending, m.UpdatePending = has("disable"), has("remove"), has("update")
	}
	return m
}

// withProps sets the properties and the fields MVT names from them.
func (m *Module) withProps(p map[string]string) {
	m.Properties = p
	m.ID, m.ModName, m.Version, m.VersionCode = p["id"], p["name"], p["version"], p["versionCode"]
	m.Author, m.Description, m.UpdateJSON = p["author"], p["description"], p["updateJson"]
}

// Mod is the Magisk modules module.
type Mod struct{ module.Base }

// New returns the module.
func New() Mod { return Mod{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// Run implements module.Module.
func (Mod) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	man, entries, ok, err := qfmanifest.Load(in.Acq.FS, rec, Manifest, "modules")
	if !ok {
		return err
	}
	if man.Status != "" && man.Status != "collected" && man.Status != "no_modules" {
		rec.Note(i18n.M("android.magisk_modules.note_status", "status", man.Status))
	}
	for i, e := range entries {
		if err := ctx.Err(); err != nil {
			return err
		}
		if e == nil {
			rec.FileError(Manifest, fmt.Errorf("%s: module %d: %w: not an object", Manifest, i, qfmanifest.ErrUnsupported))
			continue
		}
		m := Entry(e)
		if m.ModulePropStatus == "collected" {
			if p, ok := readProp(in.Acq.FS, rec, m.ModulePropPath); ok {
				m.withProps(p)
			}
		}
		report(rec, m)
	}
	return nil
}

// readProp reads one module.prop the manifest names, after checking its path.
func readProp(fsys fs.FS, rec *module.Recorder, p string) (map[string]string, bool) {
	if err := qfmanifest.SafePath(p, Dir); err != nil {
		rec.FileError(Manifest, fmt.Errorf("%s: module_prop_path %w", Manifest, err))
		return nil, false
	}
	b, err := qfmanifest.Read(fsys, p, MaxProp)
	if err != nil {
		rec.FileError(p, err) // names p
		return nil, false
	}
	rec.File(p)
	return ParseProp(string(b)), true
}

// report records a module, checks its values and flags it.
func report(rec *module.Recorder, m Module) {
	rec.Record(m)
	art := m.ModulePropPath
	if art == "" || m.ID == "" && len(m.Properties) == 0 {
		art = Manifest
	}
	w := module.Where{Artifact: art, Label: i18n.M("android.magisk_modules.what_id"), Record: m}
	hit := false
	for _, id := range uniq(m.ID, m.DirectoryName) {
		hit = rec.CheckBundleID(id, w) || hit
	}
	w.Label = i18n.M("android.magisk_modules.what_path")
	hit = rec.CheckPath(m.DevicePath, w) || hit
	w.Label = i18n.M("android.magisk_modules.what_update")
	hit = rec.CheckURL(m.UpdateJSON, w) || hit
	if hit {
		return
	}
	name := m.ModName
	if name == "" {
		name = orDash(m.ID, m.DirectoryName)
	}
	w.Label = i18n.M("android.magisk_modules.what_id")
	rec.Flag(model.Medium, w, i18n.M("android.magisk_modules.title", "name", name, "id", orDash(m.ID, m.DirectoryName), "path", orDash(m.DevicePath, "")),
		known.ReasonMsg(known.ReasonMagiskModule), i18n.M("android.benign."+known.ReasonMagiskModule))
}

func uniq(vals ...string) []string {
	var out []string
	for _, v := range vals {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

func orDash(s, alt string) string {
	switch {
	case s != "":
		return s
	case alt != "":
		return alt
	}
	return "-"
}
