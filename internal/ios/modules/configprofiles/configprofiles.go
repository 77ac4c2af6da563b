// Package configprofiles owns the ConfigurationProfiles module: the
// profile-*.stub plists of installed configuration profiles (backups and
// dumps). Profile UUIDs and identifiers are checked against indicators;
// payloads that can hide notifications, intercept traffic or hand the
// device to a manager raise heuristic alerts; install dates go on the
// timeline.
package configprofiles

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
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
	return Module{module.NewBase("configuration_profiles", 2, module.Kinds(acquisition.IOSBackup, acquisition.IOSBackupEncrypted, acquisition.IOSFilesystem))}
}

// Profile is the module's record.
type Profile struct {
	Path string `json:"path"`
	// FileID is the backup's id of the file (MVT's file_id): the SHA-1 of
	// "domain-relative path", as the backup names the file; none in a dump.
	FileID       string         `json:"file_id,omitempty"`
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
	level model.Level
	key   string // ios.config_profiles.<key>.title and .reason in the catalogs
}{
	"com.apple.notificationsettings": {model.Medium, "notifications"},
	"com.apple.security.root":        {model.Low, "root_certificate"},
	"com.apple.security.pem":         {model.Low, "certificate"},
	"com.apple.proxy.http.global":    {model.Low, "global_proxy"},
	"com.apple.vpn.managed":          {model.Low, "vpn"},
	"com.apple.dnsSettings.managed":  {model.Low, "dns"},
	"com.apple.mdm":                  {model.Low, "mdm"},
}

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
			readProfile(rec, in.Acq.FS, p, backupFileID(in.Acq.Kind, p))
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

// backupFileID is the file id of p ("domain/relative path") in a backup:
// hex SHA-1 of "domain-relative path". "" for a dump.
func backupFileID(kind acquisition.Kind, p string) string {
	if kind != acquisition.IOSBackup && kind != acquisition.IOSBackupEncrypted {
		return ""
	}
	domain, rel, ok := strings.Cut(p, "/")
	if !ok {
		return ""
	}
	sum := sha1.Sum([]byte(domain + "-" + rel))
	return hex.EncodeToString(sum[:])
}

func readProfile(rec *module.Recorder, fsys fs.FS, p, fileID string) {
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
	pr := Profile{Path: p, FileID: fileID, Plist: pl}
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
			DescriptionMsg: i18n.M("ios.config_profiles.event", "name", pr.DisplayName, "id", pr.Identifier, "uuid", pr.UUID)})
	}
	w := module.Where{Artifact: p, Time: pr.InstallDate, Label: i18n.M("ios.config_profiles.what_uuid"), Record: summary}
	hit := rec.CheckProfile(pr.UUID, w)
	w.Label = i18n.M("ios.config_profiles.what_identifier")
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
		k := "ios.config_profiles." + r.key
		rec.Flag(r.level, w, i18n.M(k+".title", "name", pr.DisplayName, "file", path.Base(p)), i18n.M(k+".reason"), i18n.M("ios.config_profiles.benign"))
	}
}
