package acquire_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/backup"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/scan"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// snapshot records every file and folder under root: content hash, size,
// mode and modification time.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := os.Lstat(p)
		if err != nil {
			return err
		}
		h := ""
		if info.Mode().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			s := sha256.New()
			_, err = io.Copy(s, f)
			f.Close()
			if err != nil {
				return err
			}
			h = hex.EncodeToString(s.Sum(nil))
		}
		rel, _ := filepath.Rel(root, p)
		out[rel] = fmt.Sprintf("%s %d %v %s", h, info.Size(), info.Mode(), info.ModTime().UTC().Format(time.RFC3339Nano))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEvidenceUnchanged scans (and decrypts) one fixture of every iOS
// acquisition kind and checks that not a byte, mode or mtime changed and
// that no file appeared (no -wal/-shm next to the evidence).
func TestEvidenceUnchanged(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	files := append(iosgen.DemoBackupFiles(), iosgen.File{Path: "private/var/tmp/hooker", Data: []byte("x")})
	// SQLite artifacts, so that every module that opens a database runs.
	for _, fs := range [][]iosgen.File{iosdata.SMS(0), iosdata.SafariHistory(0), iosdata.DataUsage(0), iosdata.TCC()} {
		files = append(files, fs...)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	plain := filepath.Join(root, "plain")
	must(iosgen.WriteBackup(ctx, plain, iosgen.BackupSpec{Files: files}))
	// Real backups often carry Manifest.db-wal and -shm files.
	must(os.WriteFile(filepath.Join(plain, "Manifest.db-wal"), nil, 0o644))
	must(os.WriteFile(filepath.Join(plain, "Manifest.db-shm"), make([]byte, 32768), 0o644))
	enc := filepath.Join(root, "encrypted")
	must(iosgen.WriteBackup(ctx, enc, iosgen.BackupSpec{Files: files, Password: "pw"}))
	inputs := []string{plain, enc}
	for name, f := range map[string]iosgen.DumpFormat{"dump": iosgen.DumpFolder, "dump.tar": iosgen.DumpTar, "dump.tar.gz": iosgen.DumpTarGz, "dump.zip": iosgen.DumpZip} {
		p := filepath.Join(root, name)
		must(iosgen.WriteDump(p, iosgen.DumpSpec{Files: files, Format: f, Links: []iosgen.Link{{Path: "var", Target: "private/var"}}}))
		if f == iosgen.DumpFolder { // a live database with its WAL, as in real dumps
			must(os.WriteFile(filepath.Join(p, "private/var/mobile/Library/SMS/sms.db-wal"), nil, 0o644))
		}
		inputs = append(inputs, p)
	}
	for name, f := range map[string]iosgen.DumpFormat{"sysdiagnose": iosgen.DumpFolder, "sysdiagnose.tar.gz": iosgen.DumpTarGz} {
		p := filepath.Join(root, name)
		must(iosgen.WriteSysdiagnose(p, iosgen.SysdiagnoseSpec{Format: f, Shutdown: []iosgen.ShutdownEntry{{Time: iosgen.DefaultTime,
			Clients: []iosgen.ShutdownClient{{PID: 1, Path: "/private/var/db/com.apple.xpc.roleaccountd.staging/bh"}}}}}))
		inputs = append(inputs, p)
	}
	before := snapshot(t, root)

	pw := func(context.Context, string) (string, error) { return "pw", nil }
	res, err := scan.Run(ctx, scan.Config{Inputs: inputs, Index: modtest.SmallIndex(t), OutDir: t.TempDir(),
		Options: acquisition.Options{Password: pw}})
	must(err)
	t.Cleanup(func() { res.Close() }) // removes the scan's spool
	kinds := map[string]bool{}
	for _, in := range res.Report.Info.Inputs {
		if in.Error != "" {
			t.Errorf("%s: %s", in.Path, in.Error)
		}
		kinds[in.Kind] = true
	}
	for _, k := range []acquisition.Kind{acquisition.IOSBackup, acquisition.IOSBackupEncrypted, acquisition.IOSFilesystem, acquisition.IOSSysdiagnose} {
		if !kinds[string(k)] {
			t.Errorf("no input opened as %s", k)
		}
	}
	if len(res.Report.Alerts) == 0 {
		t.Error("the scan raised no alert: the fixtures were not read")
	}
	ran := map[string]bool{}
	for _, m := range res.Report.Modules {
		if m.Status == "ok" || m.Status == "partial" {
			ran[m.Module] = true
		}
	}
	for _, m := range []string{"manifest", "filesystem", "shutdown_log", "sms", "safari_history", "tcc"} {
		if !ran[m] {
			t.Errorf("module %s did not run on the fixtures", m)
		}
	}
	// Decrypting writes only to its output folder.
	b, err := backup.Open(ctx, enc, backup.Options{Password: pw, TempDir: t.TempDir()})
	must(err)
	st, err := b.DecryptTo(ctx, filepath.Join(t.TempDir(), "dec"))
	must(err)
	if st.Files == 0 || len(st.Failed) > 0 {
		t.Errorf("decrypt: %+v", st)
	}

	after := snapshot(t, root)
	if !reflect.DeepEqual(before, after) {
		for k, v := range after {
			if before[k] != v {
				t.Errorf("%s changed or appeared: %q → %q", k, before[k], v)
			}
		}
		for k := range before {
			if _, ok := after[k]; !ok {
				t.Errorf("%s disappeared", k)
			}
		}
	}
}
