package modules_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/filesystem"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

var filesystemT0 = time.Date(2021, 6, 30, 8, 0, 0, 0, time.UTC)

var filesystemFiles = []iosgen.File{
	{Path: "private/var/mobile/Library/SMS/sms.db", Data: []byte("x")},
	{Path: "private/var/db/com.apple.xpc.roleaccountd.staging/subridged", Data: []byte("x"), ModTime: filesystemT0},
	{Path: "private/var/db/com.apple.xpc.roleaccountd.staging/bh", Data: []byte("x"), ModTime: filesystemT0},
	{Path: "private/var/tmp/hooker", Data: []byte("x"), ModTime: filesystemT0},
	{Path: "private/var/tmp/notes.txt", Data: []byte("x"), ModTime: filesystemT0},
	{Path: "private/var/mobile/Library/WebKit/WebsiteData/LocalStorage/https_free247downloads.com_0.localstorage", Data: []byte("x"), ModTime: filesystemT0},
	{Path: "private/var/mobile/Library/WebKit/WebsiteData/LocalStorage/https_www.example.org_0.localstorage", Data: []byte("x")},
	{Path: "private/var/mobile/Library/bhx/readme", Data: []byte("x")},
}

func TestFilesystem(t *testing.T) {
	for _, f := range []iosgen.DumpFormat{iosgen.DumpFolder, iosgen.DumpTarGz, iosgen.DumpZip} {
		p := filepath.Join(t.TempDir(), "dump")
		if err := iosgen.WriteDump(p, iosgen.DumpSpec{Files: filesystemFiles, Format: f}); err != nil {
			t.Fatal(err)
		}
		res, err := modtest.RunAcq(t, filesystem.New(), modtest.OpenIOS(t, p, acquisition.IOSFilesystem, acquisition.Options{}), modtest.SmallIndex(t))
		if err != nil {
			t.Fatal(err)
		}
		for _, want := range []string{"subridged", `"bh"`, "hooker", `"free247downloads.com"`} {
			if !modtest.Alerted(res, want) {
				t.Errorf("format %d: no alert for %s", f, want)
			}
		}
		if len(res.Alerts) != 4 {
			t.Errorf("format %d: %d alerts, want 4", f, len(res.Alerts))
		}
		if f == iosgen.DumpTarGz { // folder mode strings and dir sizes vary by OS; archives do not
			modtest.Golden(t, "filesystem", res)
		}
	}
}
