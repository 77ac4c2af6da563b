// Package acquire owns recognising and opening iOS acquisitions for the
// scan core: iTunes/Finder backups (plain and encrypted), full filesystem
// dumps (folder, tar, tar.gz, zip) and sysdiagnose captures. It fills the
// acquisition's metadata (device, iOS version, dates) from the files.
package acquire

import (
	"context"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/backup"
	"github.com/spyscan/spyscan/internal/ios/fsdump"
	"github.com/spyscan/spyscan/internal/ios/keyedarchive"
	"github.com/spyscan/spyscan/internal/ios/sysdiagnose"
)

// Opener recognises iOS acquisitions.
type Opener struct{}

// Name implements acquisition.Opener.
func (Opener) Name() string { return "ios" }

// Detect implements acquisition.Opener.
func (Opener) Detect(ctx context.Context, path string) (acquisition.Kind, bool) {
	if dir, ok := backup.Find(path); ok {
		if enc, err := backup.IsEncrypted(dir); err == nil && enc {
			return acquisition.IOSBackupEncrypted, true
		}
		return acquisition.IOSBackup, true // a broken Manifest.plist is reported by Open
	}
	if st, err := os.Stat(path); err == nil && !st.IsDir() && fsdump.Sniff(path) == fsdump.NotArchive {
		return "", false
	}
	if sysdiagnose.Detect(ctx, path) {
		return acquisition.IOSSysdiagnose, true
	}
	if fsdump.Detect(ctx, path) {
		return acquisition.IOSFilesystem, true
	}
	return "", false
}

// Open implements acquisition.Opener.
func (Opener) Open(ctx context.Context, path string, kind acquisition.Kind, opts acquisition.Options) (*acquisition.Acquisition, error) {
	switch kind {
	case acquisition.IOSBackup, acquisition.IOSBackupEncrypted:
		return openBackup(ctx, path, kind, opts)
	case acquisition.IOSFilesystem:
		d, err := fsdump.Open(ctx, path, opts.TempDir)
		if err != nil {
			return nil, err
		}
		return &acquisition.Acquisition{Path: path, Kind: kind, FS: d.FS, Meta: dumpMeta(d.FS), TZ: dumpTZ(d), Close: d.Close}, nil
	case acquisition.IOSSysdiagnose:
		s, err := sysdiagnose.Open(ctx, path, opts.TempDir)
		if err != nil {
			return nil, err
		}
		meta := map[string]string{}
		if date, build, ok := sysdiagnose.TopInfo(s.Top); ok {
			meta["sysdiagnose_date"], meta["build_version"] = date, build
		}
		return &acquisition.Acquisition{Path: path, Kind: kind, FS: s.FS, Meta: meta, Close: s.Close}, nil
	}
	return nil, acquisition.ErrUnrecognised
}

func openBackup(ctx context.Context, path string, kind acquisition.Kind, opts acquisition.Options) (*acquisition.Acquisition, error) {
	dir, ok := backup.Find(path)
	if !ok {
		return nil, acquisition.ErrUnrecognised
	}
	b, err := backup.Open(ctx, dir, backup.Options{Password: opts.Password, TempDir: opts.TempDir})
	if err != nil {
		return nil, err
	}
	return &acquisition.Acquisition{Path: path, Kind: kind, FS: b, Meta: BackupMeta(b), Close: b.Close}, nil
}

// BackupMeta gathers device facts from Info.plist, falling back to
// Manifest.plist's Lockdown dictionary.
func BackupMeta(b *backup.Backup) map[string]string {
	meta := map[string]string{"encrypted": "false"}
	if b.Encrypted {
		meta["encrypted"] = "true"
	}
	set := func(key, infoKey, lockdownKey string) {
		if s, ok := b.Info[infoKey].(string); ok && s != "" {
			meta[key] = s
			return
		}
		if s := b.Manifest.LockdownString(lockdownKey); s != "" {
			meta[key] = s
		}
	}
	set("device_name", "Device Name", "DeviceName")
	set("product_type", "Product Type", "ProductType")
	set("ios_version", "Product Version", "ProductVersion")
	set("build_version", "Build Version", "BuildVersion")
	set("udid", "Unique Identifier", "UniqueDeviceID")
	set("serial_number", "Serial Number", "SerialNumber")
	if listed, missing := b.Completeness(); listed > 0 {
		meta["files_listed"], meta["files_missing"] = strconv.Itoa(listed), strconv.Itoa(missing)
	}
	if t, ok := b.Info["Last Backup Date"].(time.Time); ok {
		meta["backup_date"] = t.UTC().Format(time.RFC3339)
	} else if b.Manifest != nil && !b.Manifest.Date.IsZero() {
		meta["backup_date"] = b.Manifest.Date.UTC().Format(time.RFC3339)
	}
	for k, v := range meta {
		if v == "" {
			delete(meta, k)
		}
	}
	return meta
}

// dumpMeta reads the iOS version from SystemVersion.plist.
func dumpMeta(fsys fs.FS) map[string]string {
	meta := map[string]string{}
	data, err := fs.ReadFile(fsys, "System/Library/CoreServices/SystemVersion.plist")
	if err != nil {
		return meta
	}
	var v map[string]any
	if keyedarchive.Unmarshal(data, &v) != nil {
		return meta
	}
	if s, ok := v["ProductVersion"].(string); ok {
		meta["ios_version"] = s
	}
	if s, ok := v["ProductBuildVersion"].(string); ok {
		meta["build_version"] = s
	}
	return meta
}

// dumpTZ reads the device time zone from the localtime link.
func dumpTZ(d *fsdump.Dump) string {
	target, _ := d.ReadLink("private/var/db/timezone/localtime")
	if i := strings.Index(target, "zoneinfo/"); i >= 0 {
		return target[i+len("zoneinfo/"):]
	}
	return ""
}
