// Package locationdclients owns locationd's clients.plist: every app,
// bundle and executable that asked for the phone's location, with the times
// it last did. Client names, bundle ids and executables are checked as
// process names and paths; executables living in writable system folders
// rather than in the OS or an app bundle are flagged.
package locationdclients

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/plistx"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Name is the module's identifier.
const Name = "locationd_clients"

// Spec locates clients.plist.
var Spec = artifact.Spec{
	Backup: []string{"RootDomain/Library/Caches/locationd/clients.plist"},
	Dump: []string{
		"private/var/mobile/Library/Caches/locationd/clients.plist",
		"private/var/root/Library/Caches/locationd/clients.plist",
	},
}

// TimeKeys are the entry keys holding Core Data timestamps.
var TimeKeys = []string{
	"ConsumptionPeriodBegin", "ReceivingLocationInformationTimeStopped", "VisitTimeStopped",
	"LocationTimeStopped", "BackgroundLocationTimeStopped", "SignificantTimeStopped",
	"NonPersistentSignificantTimeStopped", "FenceTimeStopped", "BeaconRegionTimeStopped",
}

// Module is the locationd clients module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, Spec)} }

// Record is one locationd client.
type Record struct {
	Client     string               `json:"client"` // the key, without its trailing ':'
	BundleID   string               `json:"bundle_id,omitempty"`
	BundlePath string               `json:"bundle_path,omitempty"`
	Executable string               `json:"executable,omitempty"`
	Registered string               `json:"registered,omitempty"`
	Times      map[string]time.Time `json:"times,omitempty"`
	Fields     map[string]any       `json:"fields"` // every key of the entry
	File       string               `json:"file"`
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachFile(ctx, in, rec, Spec, iosmod.MaxPlist, func(p string, data []byte) error {
		recs, err := Parse(data)
		if err != nil {
			return err
		}
		for _, r := range recs {
			r.File = p
			report(rec, r)
		}
		return nil
	})
}

// Parse decodes clients.plist into one record per client dictionary
// (non-dictionary values, such as migration counters, are skipped).
func Parse(data []byte) ([]Record, error) {
	var m map[string]any
	if err := plistx.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("not a plist dictionary: %w", err)
	}
	var out []Record
	for _, k := range iosmod.SortedKeys(m) {
		e, ok := m[k].(map[string]any)
		if !ok {
			continue
		}
		str := func(key string) string { s, _ := e[key].(string); return s }
		r := Record{Client: strings.TrimRight(k, ":"), BundleID: str("BundleId"), BundlePath: str("BundlePath"),
			Executable: str("Executable"), Registered: str("Registered")}
		for _, tk := range TimeKeys {
			var t time.Time
			if v, ok := e[tk].(time.Time); ok {
				t = v
			} else if f, ok := number(e[tk]); ok && math.Abs(f) < 1e12 {
				t = model.FromAppleSeconds(f)
			}
			if t = iosmod.ValidTime(t); !t.IsZero() {
				if r.Times == nil {
					r.Times = map[string]time.Time{}
				}
				r.Times[tk] = t
			}
		}
		r.Fields, _ = iosmod.JSONValue(e).(map[string]any)
		out = append(out, r)
	}
	return out, nil
}

func report(rec *module.Recorder, r Record) {
	rec.Record(r)
	var first time.Time
	for _, tk := range TimeKeys {
		if t, ok := r.Times[tk]; ok {
			rec.Event(model.Event{Time: t, Event: tk, Artifact: r.File, DescriptionMsg: i18n.M("ios.locationd_clients.event", "what", tk, "client", r.Client)})
			if first.IsZero() || t.Before(first) {
				first = t
			}
		}
	}
	w := module.Where{Artifact: r.File, Time: first, Label: i18n.M("ios.locationd_clients.what_client"), Record: r}
	clientPath := ""
	if i := strings.IndexByte(r.Client, '/'); i >= 0 {
		clientPath = r.Client[i:]
	}
	rec.CheckProcess(lastPart(r.Client), w)
	if r.BundleID != "" {
		rec.CheckBundleID(r.BundleID, w)
	}
	for _, p := range []string{clientPath, r.BundlePath, r.Executable, r.Registered} {
		rec.CheckPath(p, w)
	}
	for _, p := range []string{r.Executable, r.BundlePath, clientPath, r.Registered} {
		if UnusualLocation(p) {
			rec.Flag(model.Medium, w, i18n.M("ios.locationd_clients.unusual.title", "client", r.Client, "path", p),
				i18n.M("ios.locationd_clients.unusual.reason"), i18n.M("ios.locationd_clients.unusual.benign"))
			break
		}
	}
}

func lastPart(s string) string {
	s = strings.TrimRight(s, "/")
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		return s[i+1:]
	}
	return s
}

// UnusualLocation reports whether an executable or bundle path lies in a
// writable data folder (under /private/var or /var) other than where
// installed apps live.
func UnusualLocation(p string) bool {
	p = strings.TrimSpace(p)
	rest, ok := strings.CutPrefix(p, "/private/var/")
	if !ok {
		if rest, ok = strings.CutPrefix(p, "/var/"); !ok {
			return false
		}
	}
	for _, app := range []string{"containers/Bundle/", "mobile/Containers/Bundle/"} {
		if strings.HasPrefix(rest, app) {
			return false
		}
	}
	return true
}

// number returns a plist number as a float; NaN and infinities are not
// numbers here.
func number(v any) (float64, bool) {
	var f float64
	switch x := v.(type) {
	case float64:
		f = x
	case int64:
		f = float64(x)
	case uint64:
		f = float64(x)
	default:
		return 0, false
	}
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}
