package acquire

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"howett.net/plist"

	"github.com/spyscan/spyscan/internal/acquisition"
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
		"build_version": d.BuildVersion, "udid": d.UDID, "serial_number": d.Serial, "backup_date": "2023-09-12T14:30:00Z"}
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
