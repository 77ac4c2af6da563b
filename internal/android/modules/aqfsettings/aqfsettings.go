// Package aqfsettings owns the androidqf settings module: the system,
// secure and global settings (settings_<namespace>.txt). Settings that
// weaken the phone when not at their safe value (Play Protect and package
// verification off, accessibility on, unknown sources allowed...) are
// flagged.
package aqfsettings

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/known"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's name.
const Name = "aqf_settings"

// Setting is one setting.
type Setting struct {
	Namespace string `json:"namespace"`
	Key       string `json:"key"`
	Value     string `json:"value"`
}

// Module is the androidqf settings module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidQF))} }

// Parse reads "key=value" lines.
func Parse(r io.Reader, namespace string) ([]Setting, error) {
	var out []Setting
	sc := bufio.NewScanner(io.LimitReader(r, 64<<20))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if ok && k != "" {
			out = append(out, Setting{Namespace: namespace, Key: k, Value: v})
		}
	}
	return out, sc.Err()
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	names, _ := fs.Glob(in.Acq.FS, "settings_*.txt")
	if len(names) == 0 {
		return module.ErrNotFound
	}
	sort.Strings(names)
	for _, name := range names {
		ns := strings.TrimSuffix(strings.TrimPrefix(name, "settings_"), ".txt")
		f, err := in.Acq.FS.Open(name)
		if err != nil {
			rec.FileError(name, fmt.Errorf("%s: %w", name, err))
			continue
		}
		rec.File(name)
		ss, err := Parse(f, ns)
		f.Close()
		if err != nil {
			rec.FileError(name, fmt.Errorf("%s: %w", name, err))
		}
		for _, s := range ss {
			rec.Record(s)
			w := module.Where{Artifact: name, Label: i18n.M("android.what.setting"), Record: s}
			if fd, ok := known.SettingFinding(s.Namespace, s.Key, s.Value); ok {
				rec.Flag(fd.Level, w, fd.Title, fd.Reason, fd.Benign)
			}
			for _, app := range known.SettingApps(s.Key, s.Value) {
				w.Label = i18n.M("android.what.setting_app", "key", s.Key)
				rec.CheckAppID(app, w) // an indicator app given accessibility, notifications...
			}
		}
	}
	return nil
}
