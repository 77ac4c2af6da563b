// Package configprofiles owns the ConfigurationProfiles module: the
// profile-*.stub plists of installed configuration profiles (backups and
// dumps). Profile UUIDs and identifiers are checked against indicators;
// payloads that can hide notifications, intercept traffic or hand the
// device to a manager raise heuristic alerts; install dates go on the
// timeline.
package configprofiles

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/ios/keyedarchive"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Folders holding profile stubs, in backups and in dumps.
var dirs = []string{
	"SysSharedContainerDomain-systemgroup.com.apple.configurationprofiles",
	"private/var/containers/Shared/SystemGroup/systemgroup.com.apple.configurationprofiles",
}

// Module is the ConfigurationProfiles module.
type Module struct{ module.Base }

// New returns the module.
func New() Module {
	return Module{module.NewBase("configuration_profiles", 1, module.Kinds(acquisition.IOSBackup, acquisition.IOSBackupEncrypted, acquisition.IOSFilesystem))}
}

// Profile is the module's record.
type Profile struct {
	Path         string         `json:"path"`
	UUID         string         `json:"uuid,omitempty"`
	Identifier   string         `json:"identifier,omitempty"`
	DisplayName  string         `json:"display_name,omitempty"`
	Organization string         `json:"organization,omitempty"`
	InstallDate  time.Time      `json:"install_date,omitzero"`
	PayloadTypes []string       `json:"payload_types,omitempty"`
	Plist        map[string]any `json:"plist"`
}

// payloadRisks are payload types that change who sees or controls the
// device; each raises a heuristic alert.
var payloadRisks = map[string]struct {
	level  model.Level
	what   string
	reason string
}{
	"com.apple.notificationsettings": {model.Medium, "changes notification settings", "A profile that silences notifications can hide an implant's or a stalker's activity (MVT flags it too)."},
	"com.apple.security.root":        {model.Low, "installs a root certificate", "A trusted root certificate lets whoever holds its key read and alter the device's encrypted traffic."},
	"com.apple.security.pem":         {model.Low, "installs a certificate", "An installed certificate can be used to trust an interception proxy."},
	"com.apple.proxy.http.global":    {model.Low, "routes all web traffic through a proxy", "A global proxy sees every web request of the device."},
	"com.apple.vpn.managed":          {model.Low, "configures a VPN", "A VPN operator sees the device's traffic metadata."},
	"com.apple.dnsSettings.managed":  {model.Low, "sets the DNS resolver", "The resolver sees every host name the device looks up and can redirect them."},
	"com.apple.mdm":                  {model.Low, "enrols the device in device management (MDM)", "An MDM server can install apps and profiles and read device information."},
}

const benign = "Employers, schools, VPN and ad-blocking apps install such profiles legitimately; check that the user knows it."

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	found := false
	for _, dir := range dirs {
		if _, err := fs.Stat(in.Acq.FS, dir); err != nil {
			continue
		}
		err := fs.WalkDir(in.Acq.FS, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				rec.FileError(p, err)
				return nil
			}
			if d.IsDir() || !strings.HasPrefix(d.Name(), "profile-") {
				return ctx.Err()
			}
			found = true
			readProfile(rec, in.Acq.FS, p)
			return ctx.Err()
		})
		if err != nil {
			return err
		}
	}
	if !found {
		return module.ErrNotFound
	}
	return nil
}

func readProfile(rec *module.Recorder, fsys fs.FS, p string) {
	rec.File(p)
	data, err := iosmod.ReadFile(fsys, p, iosmod.MaxPlist)
	if err != nil {
		rec.FileError(p, err)
		return
	}
	var pl map[string]any
	if err := keyedarchive.Unmarshal(data, &pl); err != nil || pl == nil {
		rec.FileError(p, fmt.Errorf("%s: not a profile plist: %w", p, err))
		return
	}
	pr := Profile{Path: p, Plist: pl}
	pr.UUID, _ = pl["PayloadUUID"].(string)
	pr.Identifier, _ = pl["PayloadIdentifier"].(string)
	pr.DisplayName, _ = pl["PayloadDisplayName"].(string)
	pr.Organization, _ = pl["PayloadOrganization"].(string)
	if t, ok := pl["InstallDate"].(time.Time); ok {
		pr.InstallDate = t.UTC()
	}
	if content, ok := pl["PayloadContent"].([]any); ok {
		for _, c := range content {
			if m, ok := c.(map[string]any); ok {
				if t, ok := m["PayloadType"].(string); ok {
					pr.PayloadTypes = append(pr.PayloadTypes, t)
				}
			}
		}
	}
	sort.Strings(pr.PayloadTypes)
	rec.Record(pr)
	summary := Profile{Path: pr.Path, UUID: pr.UUID, Identifier: pr.Identifier, DisplayName: pr.DisplayName,
		Organization: pr.Organization, InstallDate: pr.InstallDate, PayloadTypes: pr.PayloadTypes}
	if !pr.InstallDate.IsZero() {
		rec.Event(model.Event{Time: pr.InstallDate, Event: "configuration profile installed", Artifact: p,
			Description: fmt.Sprintf("%s (%s, %s)", pr.DisplayName, pr.Identifier, pr.UUID)})
	}
	w := module.Where{Artifact: p, Time: pr.InstallDate, What: "Configuration profile UUID", Record: summary}
	hit := rec.CheckProfile(pr.UUID, w)
	w.What = "Configuration profile identifier"
	hit = rec.CheckProfile(pr.Identifier, w) || hit
	if hit {
		return
	}
	seen := map[string]bool{}
	for _, t := range pr.PayloadTypes {
		r, ok := payloadRisks[t]
		if !ok || seen[t] {
			continue
		}
		seen[t] = true
		rec.Heuristic(r.level, w, fmt.Sprintf("Configuration profile %q (%s) %s", pr.DisplayName, path.Base(p), r.what), r.reason, benign)
	}
}
