// Package tcc owns TCC.db, the privacy-permission database of iOS: which
// app or binary was granted the camera, microphone, photos, location and
// other services. Every client is checked as a process name, as MVT does
// (Pegasus process names such as com.apple.rapports.events are shaped like
// bundle ids); bundle ids are checked as app ids too, paths as paths. A
// grant to a binary outside the system folders is flagged.
package tcc

import (
	"context"
	"path"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates TCC.db.
var Spec = artifact.Spec{
	Backup: []string{"HomeDomain/Library/TCC/TCC.db"},
	Dump:   []string{"private/var/mobile/Library/TCC/TCC.db"},
}

// Module reads TCC.db.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("tcc", 1, Spec)} }

// Access is one permission record.
type Access struct {
	Service      string `json:"service"`
	Client       string `json:"client"`
	ClientType   string `json:"client_type"`
	AuthValue    string `json:"auth_value"`
	AuthReason   string `json:"auth_reason,omitempty"`
	PromptCount  int64  `json:"prompt_count,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	DB           string `json:"db"`
}

var authValues = map[int64]string{0: "denied", 1: "unknown", 2: "allowed", 3: "limited"}
var authValuesOld = map[int64]string{0: "denied", 1: "allowed"}
var authReasons = map[int64]string{1: "error", 2: "user_consent", 3: "user_set", 4: "system_set", 5: "service_policy",
	6: "mdm_policy", 7: "override_policy", 8: "missing_usage_string", 9: "prompt_timeout", 10: "preflight_unknown",
	11: "entitled", 12: "app_type_policy"}

// systemDirs hold the binaries iOS itself ships.
var systemDirs = []string{"/System/", "/usr/", "/Applications/", "/Developer/", "/private/var/containers/Bundle/", "/var/containers/Bundle/"}

// Run reads the access table, whichever of its three generations it is.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		cols := db.Columns(ctx, "access")
		v3 := cols["auth_value"]
		want := []string{"service", "client", "client_type", "allowed", "prompt_count", "last_modified"}
		if v3 {
			want = []string{"service", "client", "client_type", "auth_value", "auth_reason", "last_modified"}
		}
		order := "ORDER BY service, client"
		if cols["last_modified"] {
			order = "ORDER BY last_modified, service, client"
		}
		return iosmod.Query(ctx, db, rec, "access", want, order, func(r iosmod.Row) error {
			a := Access{Service: r.Str("service"), Client: r.Str("client"), ClientType: "bundle_id", DB: p}
			if r.Int("client_type") == 1 {
				a.ClientType = "absolute_path"
			}
			if v3 {
				a.AuthValue = authValues[r.Int("auth_value")]
				a.AuthReason = authReasons[r.Int("auth_reason")]
			} else {
				a.AuthValue = authValuesOld[r.Int("allowed")]
				a.PromptCount = r.Int("prompt_count")
			}
			t := fromUnix(r.Int("last_modified"))
			a.LastModified = iosmod.ISO(t)
			check(rec, a, p, t)
			return nil
		})
	})
}

func check(rec *module.Recorder, a Access, p string, t time.Time) {
	rec.Record(a)
	iosmod.Event(rec, t, "tcc_access", i18n.M("ios.tcc.event", "service", a.Service, "client", a.Client, "auth", a.AuthValue), p)
	w := module.Where{Artifact: p, Time: t, Label: i18n.M("ios.tcc.what_client"), Record: a}
	if a.ClientType == "absolute_path" {
		rec.CheckProcess(path.Base(a.Client), w)
		rec.CheckPath(a.Client, w)
		if (a.AuthValue == "allowed" || a.AuthValue == "limited") && !underSystem(a.Client) {
			rec.Flag(model.Medium, w, i18n.M("ios.tcc.outside.title", "client", a.Client, "service", a.Service),
				i18n.M("ios.tcc.outside.reason"), i18n.M("ios.tcc.outside.benign"))
		}
		return
	}
	rec.CheckBundleID(a.Client, w)
}

func underSystem(p string) bool {
	for _, d := range systemDirs {
		if strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

func fromUnix(v int64) time.Time { return model.FromUnixSeconds(float64(v)) }
