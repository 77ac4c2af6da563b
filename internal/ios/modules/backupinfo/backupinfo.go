// Package backupinfo owns the BackupInfo module: the device and backup
// facts of Info.plist and Manifest.plist (device name, model, iOS version,
// build, identifiers, dates, installed apps, encryption), and the outdated
// iOS heuristic based on the release table of package versions.
package backupinfo

import (
	"context"
	"errors"
	"io/fs"
	"sort"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/backup"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/ios/versions"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Module is the BackupInfo module.
type Module struct{ module.Base }

// New returns the module.
func New() Module {
	return Module{module.NewBase("backup_info", 2, module.Kinds(acquisition.IOSBackup, acquisition.IOSBackupEncrypted))}
}

// Info is the module's record.
type Info struct {
	DeviceName        string    `json:"device_name,omitempty"`
	ProductType       string    `json:"product_type,omitempty"`
	ProductVersion    string    `json:"product_version,omitempty"`
	BuildVersion      string    `json:"build_version,omitempty"`
	UniqueIdentifier  string    `json:"unique_identifier,omitempty"`
	SerialNumber      string    `json:"serial_number,omitempty"`
	IMEI              string    `json:"imei,omitempty"`
	ICCID             string    `json:"iccid,omitempty"`
	PhoneNumber       string    `json:"phone_number,omitempty"`
	LastBackupDate    time.Time `json:"last_backup_date,omitzero"`
	ITunesVersion     string    `json:"itunes_version,omitempty"`
	Encrypted         bool      `json:"encrypted"`
	WasPasscodeSet    *bool     `json:"was_passcode_set,omitempty"`
	BackupVersion     string    `json:"backup_version,omitempty"`
	InstalledApps     []string  `json:"installed_applications,omitempty"`
	ManifestAppsCount int       `json:"manifest_applications,omitempty"`
	// MVT's other Info.plist keys, named as spyscan names the others
	// (nil: absent).
	DisplayName      any `json:"display_name"`
	GUID             any `json:"guid"`
	MEID             any `json:"meid"`
	ProductName      any `json:"product_name"`
	TargetIdentifier any `json:"target_identifier"`
	TargetType       any `json:"target_type"`
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	var info Info
	found := false
	if data := read(in, rec, backup.InfoPlist); data != nil {
		d, err := backup.ParsePlistDict(backup.InfoPlist, data)
		if err != nil {
			rec.FileError(backup.InfoPlist, err)
		} else {
			found = true
			fromInfo(&info, d)
		}
	}
	if data := read(in, rec, backup.ManifestPlst); data != nil {
		m, err := backup.ParseManifestPlist(data)
		if err != nil {
			rec.FileError(backup.ManifestPlst, err)
		} else {
			found = true
			fromManifest(&info, m)
		}
	}
	if !found {
		return module.ErrNotFound
	}
	rec.Record(info)
	if !info.LastBackupDate.IsZero() {
		rec.Event(model.Event{Time: info.LastBackupDate, Event: "backup", Artifact: backup.InfoPlist,
			DescriptionMsg: i18n.M("ios.backup_info.event", "device", info.DeviceName, "model", info.ProductType, "version", info.ProductVersion)})
	}
	checkVersion(rec, info)
	return nil
}

// read returns the content of one of the backup's own plists (bounded), or
// nil when it is absent or unreadable (then listed as a file error).
func read(in *module.Input, rec *module.Recorder, p string) []byte {
	data, err := iosmod.ReadFile(in.Acq.FS, p, iosmod.MaxPlist)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	rec.File(p)
	if err != nil {
		rec.FileError(p, err)
		return nil
	}
	return data
}

func str(d map[string]any, k string) string {
	s, _ := d[k].(string)
	return s
}

func fromInfo(info *Info, d map[string]any) {
	info.DeviceName = str(d, "Device Name")
	info.ProductType = str(d, "Product Type")
	info.ProductVersion = str(d, "Product Version")
	info.BuildVersion = str(d, "Build Version")
	info.UniqueIdentifier = str(d, "Unique Identifier")
	info.SerialNumber = str(d, "Serial Number")
	info.IMEI = str(d, "IMEI")
	info.ICCID = str(d, "ICCID")
	info.PhoneNumber = str(d, "Phone Number")
	info.ITunesVersion = str(d, "iTunes Version")
	for dst, k := range map[*any]string{&info.DisplayName: "Display Name", &info.GUID: "GUID", &info.MEID: "MEID",
		&info.ProductName: "Product Name", &info.TargetIdentifier: "Target Identifier", &info.TargetType: "Target Type"} {
		if v, ok := d[k].(string); ok {
			*dst = v
		}
	}
	if t, ok := d["Last Backup Date"].(time.Time); ok {
		info.LastBackupDate = t.UTC()
	}
	if apps, ok := d["Installed Applications"].([]any); ok {
		for _, a := range apps {
			if s, ok := a.(string); ok {
				info.InstalledApps = append(info.InstalledApps, s)
			}
		}
		sort.Strings(info.InstalledApps)
	}
}

func fromManifest(info *Info, m *backup.ManifestPlist) {
	fill := func(dst *string, key string) {
		if *dst == "" {
			*dst = m.LockdownString(key)
		}
	}
	fill(&info.DeviceName, "DeviceName")
	fill(&info.ProductType, "ProductType")
	fill(&info.ProductVersion, "ProductVersion")
	fill(&info.BuildVersion, "BuildVersion")
	fill(&info.UniqueIdentifier, "UniqueDeviceID")
	fill(&info.SerialNumber, "SerialNumber")
	if info.LastBackupDate.IsZero() {
		info.LastBackupDate = m.Date.UTC()
	}
	info.Encrypted = m.IsEncrypted
	if _, ok := m.Raw["WasPasscodeSet"]; ok {
		v := m.WasPasscodeSet
		info.WasPasscodeSet = &v
	}
	info.BackupVersion = m.Version
	info.ManifestAppsCount = len(m.Applications)
}

// checkVersion raises the outdated-iOS heuristic.
func checkVersion(rec *module.Recorder, info Info) {
	v := info.ProductVersion
	if v == "" {
		return
	}
	if !versions.Valid(v) {
		rec.Note(i18n.M("ios.note.unknown_version", "version", v))
		return
	}
	latest := versions.Latest()
	w := module.Where{Artifact: backup.InfoPlist, Time: info.LastBackupDate, Label: i18n.M("ios.backup_info.what_version"), Record: map[string]string{"product_version": v, "build_version": info.BuildVersion}}
	switch c := versions.Compare(v, latest.Version); {
	case c < 0:
		rec.Flag(model.Low, w,
			i18n.M("ios.backup_info.outdated.title", "version", v, "latest", latest.Version,
				"released", latest.Date.Format("2006-01-02"), "table", versions.TableDate.Format("2006-01-02")),
			i18n.M("ios.backup_info.outdated.reason"), i18n.M("ios.backup_info.outdated.benign"))
	case c > 0:
		rec.Note(i18n.M("ios.note.versions_stale", "version", v, "latest", latest.Version, "date", versions.TableDate.Format("2006-01-02")))
	}
}
