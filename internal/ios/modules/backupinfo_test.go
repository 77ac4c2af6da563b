package modules_test

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/acquire"
	"github.com/spyscan/spyscan/internal/ios/modules/backupinfo"
	"github.com/spyscan/spyscan/internal/ios/versions"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func open(t *testing.T, spec iosgen.BackupSpec) *acquisition.Acquisition {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "b")
	if err := iosgen.WriteBackup(context.Background(), dir, spec); err != nil {
		t.Fatal(err)
	}
	kind, _ := acquire.Opener{}.Detect(context.Background(), dir)
	acq, err := acquire.Opener{}.Open(context.Background(), dir, kind, acquisition.Options{TempDir: t.TempDir(),
		Password: func(context.Context, string) (string, error) { return "pw", nil }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { acq.Close() })
	return acq
}

func TestBackupInfo(t *testing.T) {
	old := iosgen.DefaultDevice
	current := old
	current.ProductVersion = versions.Latest().Version // the newest release in the table is current
	tests := []struct {
		name     string
		spec     iosgen.BackupSpec
		outdated bool
	}{
		{"outdated", iosgen.BackupSpec{Device: old, Apps: []string{"net.whatsapp.WhatsApp", "com.google.Gmail"}}, true},
		{"current_encrypted", iosgen.BackupSpec{Device: current, Password: "pw"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := modtest.RunAcq(t, backupinfo.New(), open(t, tt.spec), modtest.SmallIndex(t))
			if err != nil {
				t.Fatal(err)
			}
			if got := modtest.Alerted(res, "older than iOS"); got != tt.outdated {
				t.Errorf("outdated alert = %v", got)
			}
			modtest.Golden(t, "backupinfo."+tt.name, res)
		})
	}
}

func TestBackupInfoNotFound(t *testing.T) {
	acq := &acquisition.Acquisition{Kind: acquisition.IOSBackup, FS: fstest.MapFS{}}
	if _, err := modtest.RunAcq(t, backupinfo.New(), acq, modtest.SmallIndex(t)); !errors.Is(err, module.ErrNotFound) {
		t.Errorf("err = %v", err)
	}
}
