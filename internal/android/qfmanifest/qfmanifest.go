// Package qfmanifest owns the manifests androidqf writes beside what it
// collects as root (browser_history/manifest.json, magisk_modules/manifest.json):
// reading one (bounded), its schema version (1, the only one androidqf
// writes), the loose reading of its values, and the check of every path it
// names before anything is opened: a manifest is evidence, and a path that
// climbs out of its folder ("../secret"), is absolute or uses backslashes
// is refused and named as a problem, never read.
package qfmanifest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// MaxSize bounds a manifest read.
const MaxSize = 16 << 20

// Outcomes.
var (
	ErrUnsafePath  = model.NewError(model.KindRefused, "path leaves its folder of the acquisition")
	ErrUnsupported = model.NewError(model.KindUnsupported, "unsupported manifest")
	ErrTooLarge    = model.NewError(model.KindRefused, "file larger than the read limit")
)

// Read reads name from fsys, refusing more than limit bytes. The error
// names the file.
func Read(fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: %w (%d bytes)", name, ErrTooLarge, limit)
	}
	return b, nil
}

// Manifest is what every androidqf manifest has.
type Manifest struct {
	SchemaVersion     int    `json:"schema_version"`
	GeneratedAt       string `json:"generated_at,omitempty"`
	Status            string `json:"status,omitempty"`
	AcquisitionMethod string `json:"acquisition_method,omitempty"`
}

// Decode reads a manifest of schema version 1: its common fields, and the
// list under key (each entry as an object of loosely typed values; an entry
// that is not an object is nil). An absent list is empty; a list that is
// not one, or another schema version, is ErrUnsupported.
func Decode(b []byte, key string) (Manifest, []map[string]any, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(b, &top); err != nil {
		return Manifest{}, nil, err
	}
	var m Manifest
	var v float64
	if err := json.Unmarshal(top["schema_version"], &v); err != nil || v != 1 {
		return m, nil, fmt.Errorf("%w: schema_version %s (1 is read)", ErrUnsupported, string(top["schema_version"]))
	}
	m.SchemaVersion = 1
	m.GeneratedAt, m.Status, m.AcquisitionMethod = rawStr(top["generated_at"]), rawStr(top["status"]), rawStr(top["acquisition_method"])
	raw, ok := top[key]
	if !ok || string(raw) == "null" {
		return m, nil, nil
	}
	var list []json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return m, nil, fmt.Errorf("%w: %q is not a list", ErrUnsupported, key)
	}
	out := make([]map[string]any, len(list))
	for i, e := range list {
		var obj map[string]any
		if json.Unmarshal(e, &obj) == nil {
			out[i] = obj
		}
	}
	return m, out, nil
}

func rawStr(b json.RawMessage) string {
	var s string
	if json.Unmarshal(b, &s) != nil {
		return ""
	}
	return s
}

// Str returns obj[key] when it is a string, else "".
func Str(obj map[string]any, key string) string {
	s, _ := obj[key].(string)
	return s
}

// Strings returns obj[key] when it is a list of strings; ok is false when
// it is anything else (absent included).
func Strings(obj map[string]any, key string) ([]string, bool) {
	l, ok := obj[key].([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(l))
	for _, v := range l {
		s, ok := v.(string)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// SafePath checks p, a path a manifest names, before it is opened: a
// relative slash-separated path inside dir (its first element), with no
// "." or ".." element, no backslash and no NUL. The error names the path.
func SafePath(p, dir string) error {
	bad := p == "" || strings.ContainsAny(p, "\\\x00") || path.IsAbs(p)
	parts := strings.Split(p, "/")
	bad = bad || len(parts) < 2 || parts[0] != dir
	for _, e := range parts {
		bad = bad || e == "" || e == "." || e == ".."
	}
	if bad {
		return fmt.Errorf("%q: %w %s/", p, ErrUnsafePath, dir)
	}
	return nil
}

// IsUnsafe reports whether err is a refused path.
func IsUnsafe(err error) bool { return errors.Is(err, ErrUnsafePath) }

// Load reads and decodes a module's manifest from an androidqf acquisition:
// module.ErrNotFound when the acquisition has none; when it cannot be read
// or decoded, the problem is recorded on rec (naming the manifest) and ok
// is false. The entries are those listed under key.
func Load(fsys fs.FS, rec *module.Recorder, name, key string) (man Manifest, entries []map[string]any, ok bool, err error) {
	b, err := Read(fsys, name, MaxSize)
	if errors.Is(err, fs.ErrNotExist) {
		return man, nil, false, module.ErrNotFound
	}
	rec.File(name)
	if err != nil {
		rec.FileError(name, err) // names the manifest
		return man, nil, false, nil
	}
	man, entries, err = Decode(b, key)
	if err != nil {
		rec.FileError(name, fmt.Errorf("%s: %w", name, err))
		return man, nil, false, nil
	}
	return man, entries, true, nil
}
