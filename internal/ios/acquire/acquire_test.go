package acquire

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"howett.net/plist"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/sqlitex"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func sysVersion(t *testing.T) []byte {
	b, err := plist.Marshal(map[string]any{"ProductVersion": "16.6", "ProductBuildVersion": "20G75", "ProductName": "iPhone OS"}, plist.XMLFormat)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDetectOpen(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	files := []iosgen.File{{Domain: "HomeDomain", RelativePath: "Library/SMS/sms.db", Path: "private/var/mobile/Library/SMS/sms.db", Data: []byte("x")},
		{Path: "System/Library/CoreServices/SystemVersion.plist", Data: sysVersion(t)}}
	plain := filepath.Join(root, "plain", "00008110000A1B2C3D4E5F60718293A4B5C6D7E8")
	enc := filepath.Join(root, "enc")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(iosgen.WriteBackup(ctx, plain, iosgen.BackupSpec{Files: files}))
	must(iosgen.WriteBackup(ctx, enc, iosgen.BackupSpec{Files: files, Password: "pw"}))
	links := []iosgen.Link{{Path: "private/var/db/timezone/localtime", Target: "/var/db/timezone/zoneinfo/Europe/Berlin"}}
	must(iosgen.WriteDump(filepath.Join(root, "dump.tar.gz"), iosgen.DumpSpec{Files: files, Links: links, Format: iosgen.DumpTarGz, Wrap: "fs"}))
	must(iosgen.WriteDump(filepath.Join(root, "dumpdir"), iosgen.DumpSpec{Files: files, Links: links}))
	must(iosgen.WriteSysdiagnose(filepath.Join(root, "sd.tar.gz"), iosgen.SysdiagnoseSpec{Format: iosgen.DumpTarGz}))
	must(iosgen.WriteSysdiagnose(filepath.Join(root, "sddir"), iosgen.SysdiagnoseSpec{Format: iosgen.DumpFolder}))
	sdTop := filepath.Join(root, "sddir", iosgen.SysdiagnoseTop(iosgen.DefaultDevice, iosgen.DefaultTime))
	must(iosgen.WriteDump(filepath.Join(root, "other.zip"), iosgen.DumpSpec{Files: []iosgen.File{{Path: "a/b.txt", Data: []byte("x")}}, Format: iosgen.DumpZip}))
	must(os.WriteFile(filepath.Join(root, "notes.txt"), []byte("hello"), 0o644))

	pw := func(context.Context, string) (string, error) { return "pw", nil }
	d := iosgen.DefaultDevice
	backupMeta := map[string]string{"device_name": d.Name, "product_type": d.ProductType, "ios_version": d.ProductVersion,
		"build_version": d.BuildVersion, "udid": d.UDID, "serial_number": d.Serial, "backup_date": "2023-09-12T14:30:00Z",
		"files_listed": "1", "files_missing": "0"} // the one file written (sms.db), present
	withEnc := func(m map[string]string, v string) map[string]string {
		out := map[string]string{"encrypted": v}
		for k, x := range m {
			out[k] = x
		}
		return out
	}
	tests := []struct {
		path string
		kind acquisition.Kind
		meta map[string]string
		tz   string
		file string
	}{
		{filepath.Dir(plain), acquisition.IOSBackup, withEnc(backupMeta, "false"), "", "HomeDomain/Library/SMS/sms.db"},
		{enc, acquisition.IOSBackupEncrypted, withEnc(backupMeta, "true"), "", "HomeDomain/Library/SMS/sms.db"},
		{filepath.Join(root, "dump.tar.gz"), acquisition.IOSFilesystem, map[string]string{"ios_version": "16.6", "build_version": "20G75"}, "Europe/Berlin", "private/var/mobile/Library/SMS/sms.db"},
		{filepath.Join(root, "dumpdir"), acquisition.IOSFilesystem, map[string]string{"ios_version": "16.6", "build_version": "20G75"}, "Europe/Berlin", "private/var/mobile/Library/SMS/sms.db"},
		{filepath.Join(root, "sd.tar.gz"), acquisition.IOSSysdiagnose, map[string]string{"sysdiagnose_date": "2023-09-12T14:30:00+00:00", "build_version": "20G75"}, "", "system_logs.logarchive/Extra/shutdown.log"},
		{filepath.Join(root, "sddir"), acquisition.IOSSysdiagnose, map[string]string{"sysdiagnose_date": "2023-09-12T14:30:00+00:00", "build_version": "20G75"}, "", "system_logs.logarchive/Extra/shutdown.log"},
		{sdTop, acquisition.IOSSysdiagnose, map[string]string{"sysdiagnose_date": "2023-09-12T14:30:00+00:00", "build_version": "20G75"}, "", "system_logs.logarchive/Extra/shutdown.log"},
		{filepath.Join(root, "other.zip"), "", nil, "", ""},
		{filepath.Join(root, "notes.txt"), "", nil, "", ""},
		{t.TempDir(), "", nil, "", ""},
	}
	var o Opener
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			kind, ok := o.Detect(ctx, tt.path)
			if kind != tt.kind || ok != (tt.kind != "") {
				t.Fatalf("Detect = %q, %v; want %q", kind, ok, tt.kind)
			}
			if !ok {
				return
			}
			acq, err := o.Open(ctx, tt.path, kind, acquisition.Options{Password: pw, TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer acq.Close()
			if !reflect.DeepEqual(acq.Meta, tt.meta) || acq.TZ != tt.tz {
				t.Errorf("meta %v tz %q; want %v %q", acq.Meta, acq.TZ, tt.meta, tt.tz)
			}
			if _, err := fs.Stat(acq.FS, tt.file); err != nil {
				t.Error(err)
			}
		})
	}
	_, err := o.Open(ctx, enc, acquisition.IOSBackupEncrypted, acquisition.Options{TempDir: t.TempDir()})
	if !errors.Is(err, acquisition.ErrNeedPassword) {
		t.Errorf("no password: %v", err)
	}
}

// TestIncompleteBackup: a backup whose folder lacks files Manifest.db
// lists (interrupted, or copied in part) says how many are missing, and
// reading one of them fails as missing (not damaged), for a plain file and
// for a database.
func TestIncompleteBackup(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "b")
	files := []iosgen.File{
		{Domain: "HomeDomain", RelativePath: "Library/SMS/sms.db", Data: []byte("x")},
		{Domain: "HomeDomain", RelativePath: "Library/Preferences/a.plist", Data: []byte("y")},
		{Domain: "HomeDomain", RelativePath: "Library/Preferences/b.plist", Data: []byte("z")},
	}
	if err := iosgen.WriteBackup(ctx, dir, iosgen.BackupSpec{Files: files}); err != nil {
		t.Fatal(err)
	}
	for _, f := range files[:2] {
		id := iosgen.FileID(f.Domain, f.RelativePath)
		if err := os.Remove(filepath.Join(dir, id[:2], id)); err != nil {
			t.Fatal(err)
		}
	}
	acq, err := (Opener{}).Open(ctx, dir, acquisition.IOSBackup, acquisition.Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer acq.Close()
	if acq.Meta["files_listed"] != "3" || acq.Meta["files_missing"] != "2" {
		t.Errorf("meta %v: want 3 files listed, 2 missing", acq.Meta)
	}
	_, err = fs.ReadFile(acq.FS, "HomeDomain/Library/Preferences/a.plist")
	if model.KindOf(err) != model.KindMissing || !strings.Contains(err.Error(), "absent from the backup folder") {
		t.Errorf("reading an absent file: %v (kind %s), want missing", err, model.KindOf(err))
	}
	_, err = sqlitex.Open(ctx, acq.FS, "HomeDomain/Library/SMS/sms.db", t.TempDir())
	if model.KindOf(err) != model.KindMissing {
		t.Errorf("opening an absent database: %v (kind %s), want missing", err, model.KindOf(err))
	}
	if b, err := fs.ReadFile(acq.FS, "HomeDomain/Library/Preferences/b.plist"); err != nil || string(b) != "z" {
		t.Errorf("the file present: %q, %v", b, err)
	}
}
