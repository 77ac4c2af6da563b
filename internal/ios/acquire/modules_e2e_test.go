package acquire_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/backup"
	"github.com/spyscan/spyscan/internal/ios/fsdump"
	"github.com/spyscan/spyscan/internal/ios/modules/analytics"
	"github.com/spyscan/spyscan/internal/ios/modules/applications"
	"github.com/spyscan/spyscan/internal/ios/modules/cachefiles"
	"github.com/spyscan/spyscan/internal/ios/modules/globalpreferences"
	"github.com/spyscan/spyscan/internal/ios/modules/iosversionhistory"
	"github.com/spyscan/spyscan/internal/ios/modules/locationdclients"
	"github.com/spyscan/spyscan/internal/ios/modules/osanalyticsaddaily"
	"github.com/spyscan/spyscan/internal/ios/modules/webkitfolders"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// TestSystemArtifactsDumpEndToEnd writes every system-artifact fixture as a real dump folder and as a tar,
// opens them with the dump opener (databases in place, immutable, for the
// folder), runs every module, and checks that each planted hit is found and
// that the evidence is byte-for-byte and mtime-for-mtime unchanged.
func TestSystemArtifactsDumpEndToEnd(t *testing.T) {
	ctx := context.Background()
	files, err := iosdata.System(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mods := []module.Module{iosversionhistory.New(), applications.New(), globalpreferences.New(),
		cachefiles.New(), analytics.New(), locationdclients.New(), osanalyticsaddaily.New()}
	mods = append(mods, webkitfolders.Modules()...)
	for _, format := range []iosgen.DumpFormat{iosgen.DumpFolder, iosgen.DumpTar} {
		dir := t.TempDir()
		out := filepath.Join(dir, "dump")
		if format == iosgen.DumpTar {
			out += ".tar"
		}
		if err := iosgen.WriteDump(out, iosgen.DumpSpec{Files: files, Format: format}); err != nil {
			t.Fatal(err)
		}
		before := snapshot(t, dir)
		d, err := fsdump.Open(ctx, out, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		alerts := map[string]int{}
		for _, m := range mods {
			rec := module.NewRecorder(m.Name(), modtest.Index(t), nil)
			in := &module.Input{Acq: &acquisition.Acquisition{Path: out, Kind: acquisition.IOSFilesystem, FS: d.FS}, Index: modtest.Index(t), TempDir: t.TempDir()}
			if err := m.Run(ctx, in, rec); err != nil {
				t.Errorf("format %d: %s: %v", format, m.Name(), err)
				continue
			}
			res := rec.Result()
			if len(res.Errors) != 0 || res.Seen == 0 {
				t.Errorf("format %d: %s: seen %d, errors %v", format, m.Name(), res.Seen, res.Errors)
			}
			for _, a := range res.Alerts {
				if a.Match != nil {
					alerts[m.Name()]++
				}
			}
		}
		d.Close()
		want := map[string]int{"applications": 1, "cache_files": 1, "analytics": 3, "locationd_clients": 1,
			"osanalytics_addaily": 1, "webkit_indexeddb": 1, "webkit_safariviewservice": 1}
		if !reflect.DeepEqual(alerts, want) {
			t.Errorf("format %d: indicator alerts %v, want %v", format, alerts, want)
		}
		if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
			t.Errorf("format %d: the evidence changed (%d entries before, %d after)", format, len(before), len(after))
		}
	}
}

// TestSystemArtifactsEncryptedBackup writes the system-artifact fixtures into an encrypted backup,
// opens it with the backup reader (files decrypted on the fly), runs every
// module that applies to backups, and checks the planted hits and that the
// backup folder is unchanged.
func TestSystemArtifactsEncryptedBackup(t *testing.T) {
	ctx := context.Background()
	files, err := iosdata.System(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "backup")
	spec := iosgen.BackupSpec{Files: files, Password: "test", Seed: 7, Apps: []string{iosdata.PegasusBundleProcess}}
	if err := iosgen.WriteBackup(ctx, dir, spec); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, dir)
	b, err := backup.Open(ctx, dir, backup.Options{TempDir: t.TempDir(),
		Password: func(context.Context, string) (string, error) { return "test", nil }})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	mods := []module.Module{applications.New(), globalpreferences.New(), locationdclients.New(), osanalyticsaddaily.New()}
	mods = append(mods, webkitfolders.Modules()...)
	alerts := map[string]int{}
	for _, m := range mods {
		if !m.Applies(acquisition.IOSBackupEncrypted) {
			continue
		}
		rec := module.NewRecorder(m.Name(), modtest.Index(t), nil)
		in := &module.Input{Acq: &acquisition.Acquisition{Path: dir, Kind: acquisition.IOSBackupEncrypted, FS: b}, Index: modtest.Index(t), TempDir: t.TempDir()}
		if err := m.Run(ctx, in, rec); err != nil {
			t.Errorf("%s: %v", m.Name(), err)
			continue
		}
		res := rec.Result()
		if len(res.Errors) != 0 {
			t.Errorf("%s: errors %v", m.Name(), res.Errors)
		}
		for _, a := range res.Alerts {
			if a.Match != nil {
				alerts[m.Name()]++
			}
		}
	}
	// The backup writer makes its own Info.plist: the planted app is in
	// "Installed Applications" only, checked as an app id and a process.
	want := map[string]int{"applications": 1, "locationd_clients": 1, "osanalytics_addaily": 1, "webkit_indexeddb": 1}
	if !reflect.DeepEqual(alerts, want) {
		t.Errorf("indicator alerts %v, want %v", alerts, want)
	}
	if after := snapshot(t, dir); !reflect.DeepEqual(before, after) {
		t.Error("the backup changed")
	}
}
