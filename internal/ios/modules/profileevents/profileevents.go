// Package profileevents owns the ProfileEvents module: MCProfileEvents.plist
// records which process installed or removed which configuration profile,
// and when. Processes and profile ids are checked against indicators; every
// operation is a LOW alert (as in MVT) because profiles are a common way to
// take control of a device; operations go on the timeline.
package profileevents

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/ios/keyedarchive"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Spec locates MCProfileEvents.plist.
var Spec = artifact.Spec{
	Backup: []string{"SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles/Library/ConfigurationProfiles/MCProfileEvents.plist"},
	Dump:   []string{"private/var/containers/Shared/SystemGroup/systemgroup.com.apple.configurationprofiles/Library/ConfigurationProfiles/MCProfileEvents.plist"},
}

// Module is the ProfileEvents module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("profile_events", 1, Spec)} }

// Event is the module's record.
type Event struct {
	ProfileID string            `json:"profile_id"`
	Time      time.Time         `json:"timestamp,omitzero"`
	Operation string            `json:"operation,omitempty"`
	Process   string            `json:"process,omitempty"`
	Extra     map[string]string `json:"extra,omitempty"`
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachFile(ctx, in, rec, Spec, iosmod.MaxPlist, func(p string, data []byte) error {
		evs, err := Parse(data)
		if err != nil {
			return err
		}
		for _, e := range evs {
			check(rec, p, e)
		}
		return nil
	})
}

// Parse reads MCProfileEvents.plist: {"ProfileEvents": [{profileID: {timestamp, operation, process}}]}.
func Parse(data []byte) ([]Event, error) {
	var doc map[string]any
	if err := keyedarchive.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	list, ok := doc["ProfileEvents"].([]any)
	if !ok {
		return nil, nil
	}
	var out []Event
	for _, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			continue
		}
		ids := make([]string, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			e := Event{ProfileID: id}
			fields, _ := m[id].(map[string]any)
			for k, v := range fields {
				switch strings.ToLower(k) {
				case "timestamp":
					if t, ok := v.(time.Time); ok {
						e.Time = t.UTC()
					}
				case "operation":
					e.Operation = fmt.Sprint(v)
				case "process":
					e.Process = fmt.Sprint(v)
				default:
					if e.Extra == nil {
						e.Extra = map[string]string{}
					}
					e.Extra[k] = fmt.Sprint(v)
				}
			}
			out = append(out, e)
		}
	}
	return out, nil
}

func check(rec *module.Recorder, p string, e Event) {
	rec.Record(e)
	desc := i18n.M("ios.profile_events.event", "process", e.Process, "operation", e.Operation, "profile", e.ProfileID)
	rec.Event(model.Event{Time: e.Time, Event: "profile operation", DescriptionMsg: desc, Artifact: p})
	w := module.Where{Artifact: p, Time: e.Time, Label: i18n.M("ios.profile_events.what_process"), Record: e}
	hit := rec.CheckProcess(e.Process, w)
	w.Label = i18n.M("ios.profile_events.what_profile")
	hit = rec.CheckProfile(e.ProfileID, w) || hit
	if !hit {
		rec.Flag(model.Low, w, desc, i18n.M("ios.profile_events.reason"), i18n.M("ios.profile_events.benign"))
	}
}
