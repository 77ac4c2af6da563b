// Package osanalyticsaddaily owns com.apple.osanalytics.addaily.plist,
// whose netUsageBaseline dictionary keeps, per process name, the date of a
// baseline and the Wi-Fi and cellular bytes it moved. Pegasus processes
// were found there; every process name is checked against the indicators.
package osanalyticsaddaily

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/spyscan/spyscan/internal/plistx"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's identifier.
const Name = "osanalytics_addaily"

// Spec locates the plist.
var Spec = artifact.Spec{
	Backup: []string{"HomeDomain/Library/Preferences/com.apple.osanalytics.addaily.plist"},
	Dump:   []string{"private/var/mobile/Library/Preferences/com.apple.osanalytics.addaily.plist"},
}

// Module is the OSAnalytics ADDaily module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, Spec)} }

// Record is one process's network-usage baseline.
type Record struct {
	Process string    `json:"process"`
	Time    time.Time `json:"timestamp,omitzero"`
	WifiIn  float64   `json:"wifi_in"`
	WifiOut float64   `json:"wifi_out"`
	WWANIn  float64   `json:"wwan_in"`
	WWANOut float64   `json:"wwan_out"`
	File    string    `json:"file"`
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachFile(ctx, in, rec, Spec, iosmod.MaxPlist, func(p string, data []byte) error {
		recs, bad, err := Parse(data)
		if err != nil {
			return err
		}
		if bad > 0 {
			rec.Note(i18n.M("ios.note.baseline_bad", "file", p, "n", bad))
		}
		if recs == nil {
			rec.Note(i18n.M("ios.note.baseline_missing", "file", p))
		}
		for _, r := range recs {
			r.File = p
			rec.Record(r)
			if !r.Time.IsZero() {
				rec.Event(model.Event{Time: r.Time, Event: "osanalytics_addaily", Artifact: p,
					DescriptionMsg: i18n.M("ios.osanalytics_addaily.event", "process", r.Process, "wifi_in", fmt.Sprintf("%.0f", r.WifiIn), "wifi_out", fmt.Sprintf("%.0f", r.WifiOut), "wwan_in", fmt.Sprintf("%.0f", r.WWANIn), "wwan_out", fmt.Sprintf("%.0f", r.WWANOut))})
			}
			rec.CheckProcess(r.Process, module.Where{Artifact: p, Time: r.Time, Label: i18n.M("ios.what.process_network"), Record: r})
		}
		return nil
	})
}

// Parse decodes the plist's netUsageBaseline entries, sorted by process
// name; bad counts entries of an unexpected shape (skipped).
func Parse(data []byte) (recs []Record, bad int, err error) {
	var m struct {
		Baseline map[string]any `plist:"netUsageBaseline"`
	}
	if err := plistx.Unmarshal(data, &m); err != nil {
		return nil, 0, fmt.Errorf("not a plist dictionary: %w", err)
	}
	for _, proc := range iosmod.SortedKeys(m.Baseline) {
		vals, ok := m.Baseline[proc].([]any)
		if !ok || len(vals) == 0 {
			bad++
			continue
		}
		r := Record{Process: proc}
		if t, ok := vals[0].(time.Time); ok {
			r.Time = iosmod.ValidTime(t)
		}
		nums := []*float64{&r.WifiIn, &r.WifiOut, &r.WWANIn, &r.WWANOut}
		for i, dst := range nums {
			if i+1 < len(vals) {
				*dst = number(vals[i+1])
			}
		}
		recs = append(recs, r)
	}
	if recs == nil && m.Baseline != nil {
		recs = []Record{}
	}
	return recs, bad, nil
}

func number(v any) float64 {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return 0 // not a byte count; JSON could not hold it either
		}
		return x
	case int64:
		return float64(x)
	case uint64:
		return float64(x)
	}
	return 0
}
