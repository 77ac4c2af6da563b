// Package globalpreferences owns .GlobalPreferences.plist, the phone-wide
// settings. Every key becomes a record; the Lockdown Mode flag
// (LDMGlobalEnabled) is reported: enabled as INFO, turned off again as LOW.
package globalpreferences

import (
	"context"
	"fmt"

	"github.com/spyscan/spyscan/internal/plistx"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's identifier.
const Name = "global_preferences"

// LockdownKey is the preference that records Lockdown Mode.
const LockdownKey = "LDMGlobalEnabled"

// Spec locates the global preferences.
var Spec = artifact.Spec{
	Backup: []string{"HomeDomain/Library/Preferences/.GlobalPreferences.plist"},
	Dump:   []string{"private/var/mobile/Library/Preferences/.GlobalPreferences.plist"},
}

// Module is the global preferences module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, Spec)} }

// Record is one preference.
type Record struct {
	Key   string `json:"key"`
	Value any    `json:"value"`
	File  string `json:"file"`
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachFile(ctx, in, rec, Spec, iosmod.MaxPlist, func(p string, data []byte) error {
		prefs, err := Parse(data)
		if err != nil {
			return err
		}
		for _, k := range iosmod.SortedKeys(prefs) {
			rec.Record(Record{Key: k, Value: iosmod.JSONValue(prefs[k]), File: p})
		}
		lockdown(rec, p, prefs)
		return nil
	})
}

// Parse decodes a preferences plist whose root is a dictionary.
func Parse(data []byte) (map[string]any, error) {
	var m map[string]any
	if err := plistx.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("not a plist dictionary: %w", err)
	}
	return m, nil
}

func lockdown(rec *module.Recorder, p string, prefs map[string]any) {
	v, ok := prefs[LockdownKey]
	if !ok {
		rec.Note(i18n.M("ios.note.lockdown_never", "file", p, "key", LockdownKey))
		return
	}
	on, isBool := v.(bool)
	if !isBool {
		rec.Note(i18n.M("ios.note.lockdown_type", "file", p, "key", LockdownKey, "type", fmt.Sprintf("%T", v)))
		return
	}
	w := module.Where{Artifact: p, Label: i18n.M("ios.global_preferences.what_lockdown"), Record: Record{Key: LockdownKey, Value: on, File: p}}
	if on {
		rec.Flag(model.Info, w, i18n.M("ios.global_preferences.on.title"),
			i18n.M("ios.global_preferences.on.reason"), i18n.M("ios.global_preferences.on.benign"))
		return
	}
	rec.Flag(model.Low, w, i18n.M("ios.global_preferences.off.title"),
		i18n.M("ios.global_preferences.off.reason"), i18n.M("ios.global_preferences.off.benign"))
}
