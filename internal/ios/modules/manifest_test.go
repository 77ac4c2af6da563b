package modules_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/acquire"
	"github.com/spyscan/spyscan/internal/ios/modules/manifest"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

var manifestFiles = []iosgen.File{
	{Domain: "HomeDomain", RelativePath: "Library/SMS/sms.db", Data: []byte("x")},
	{Domain: "HomeDomain", RelativePath: "Library/WebKit/WebsiteData/LocalStorage/https_free247downloads.com_0.localstorage", Data: []byte("x"),
		ModTime: time.Date(2021, 7, 1, 10, 0, 0, 0, time.UTC)},
	{Domain: "HomeDomain", RelativePath: "Library/WebKit/WebsiteData/LocalStorage/https_notfree247downloads.com_0.localstorage", Data: []byte("x")},
	{Domain: "DatabaseDomain", RelativePath: "com.apple.xpc.roleaccountd.staging/subridged", Data: []byte("x")},
	{Domain: "AppDomain-com.example.app", RelativePath: "Documents/rce_loader.js", Data: []byte("x")},
	{Domain: "AppDomain-com.example.app", RelativePath: "Documents/rce_loader.json", Data: []byte("x")},
}

func TestManifest(t *testing.T) {
	for _, pw := range []string{"", "pw"} {
		name := "plain"
		if pw != "" {
			name = "encrypted"
		}
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "b")
			if err := iosgen.WriteBackup(context.Background(), dir, iosgen.BackupSpec{Files: manifestFiles, Password: pw}); err != nil {
				t.Fatal(err)
			}
			kind, _ := acquire.Opener{}.Detect(context.Background(), dir)
			acq, err := acquire.Opener{}.Open(context.Background(), dir, kind, acquisition.Options{TempDir: t.TempDir(),
				Password: func(context.Context, string) (string, error) { return pw, nil }})
			if err != nil {
				t.Fatal(err)
			}
			defer acq.Close()
			res, err := modtest.RunAcq(t, manifest.New(), acq, modtest.SmallIndex(t))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{`"free247downloads.com"`, "subridged", "rce_loader.js"} {
				if !modtest.Alerted(res, want) {
					t.Errorf("no alert for %s", want)
				}
			}
			if len(res.Alerts) != 3 {
				t.Errorf("%d alerts, want 3 (look-alikes must not alert)", len(res.Alerts))
			}
			if pw == "" {
				modtest.Golden(t, "manifest", res)
			}
		})
	}
}

func TestManifestHosts(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Library/WebKit/https_a.evil.com_0.localstorage", []string{"a.evil.com"}},
		{"Library/com.apple.foo.plist", nil},
		{"Library/Cookies/evil.com.binarycookies", []string{"evil.com"}},
		{"Library/SMS/sms.db", nil},
		{"x/1.2.3", nil},
	}
	for _, tt := range tests {
		if got := manifest.Hosts(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Hosts(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
