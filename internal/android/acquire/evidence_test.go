package acquire_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/scan"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

type fileState struct {
	sum   string
	mtime time.Time
	mode  fs.FileMode
}

// snapshot hashes content, mtime and mode of every file under root.
func snapshot(t *testing.T, root string) map[string]fileState {
	t.Helper()
	out := map[string]fileState{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		s := fileState{mtime: st.ModTime(), mode: st.Mode()}
		if !d.IsDir() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(b)
			s.sum = hex.EncodeToString(h[:])
		}
		out[p] = s
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestEvidenceUnchanged opens every Android kind with the registered
// openers, runs every registered module that applies, and checks that no
// input file changed (content, mtime, mode) and none was added.
func TestEvidenceUnchanged(t *testing.T) {
	id, _ := age.GenerateX25519Identity()
	t.Setenv("SPYSCAN_AGE_KEY", id.String())
	root := t.TempDir()
	inputs := map[string]acquisition.Kind{}
	mk := func(name string, kind acquisition.Kind, write func(p string) error) {
		p := filepath.Join(root, name)
		if err := write(p); err != nil {
			t.Fatal(err)
		}
		inputs[p] = kind
	}
	mk("bugreport.zip", acquisition.AndroidBugreport, func(p string) error { return androidgen.WriteZipFile(p, bugreportFiles(), false) })
	mk("bugreport-folder", acquisition.AndroidBugreport, func(p string) error { return androidgen.WriteFolder(p, bugreportFiles()) })
	mk("qf-folder", acquisition.AndroidQF, func(p string) error { return androidgen.WriteFolder(p, qfFiles(false)) })
	mk("qf.zip", acquisition.AndroidQF, func(p string) error { return androidgen.WriteZipFile(p, qfFiles(false), false) })
	mk("3f1c2b9e.zip.age", acquisition.AndroidQF, func(p string) error {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		defer f.Close()
		return androidgen.WriteQFAge(f, qfFiles(true), id.Recipient())
	})
	mk("backup.ab", acquisition.AndroidBackup, func(p string) error {
		return os.WriteFile(p, androidgen.Backup(backupFiles(), androidgen.BackupOptions{Compressed: true, Password: password, Rounds: 10, Seed: "e"}), 0o644)
	})
	// Evidence as it is usually handed over: read-only.
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			os.Chmod(p, 0o400)
		}
		return nil
	})
	before := snapshot(t, root)
	time.Sleep(10 * time.Millisecond) // a write would show in the mtime
	ctx := context.Background()
	for p, kind := range inputs {
		var op acquisition.Opener
		for _, o := range scan.Openers() {
			if k, ok := o.Detect(ctx, p); ok {
				if k != kind {
					t.Fatalf("%s: detected as %s, want %s", p, k, kind)
				}
				op = o
				break
			}
		}
		if op == nil {
			t.Fatalf("%s: not recognised", p)
		}
		acq, err := op.Open(ctx, p, kind, opts(t, password))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		ran := 0
		for _, m := range scan.Modules() {
			if !m.Applies(kind) {
				continue
			}
			ran++
			rec := module.NewRecorder(m.Name(), nil, nil)
			_ = m.Run(ctx, &module.Input{Acq: acq, TempDir: t.TempDir()}, rec)
		}
		t.Logf("%s: %d registered modules ran", filepath.Base(p), ran)
		// Read every file of the view too, whatever the modules read.
		n := 0
		err = fs.WalkDir(acq.FS, ".", func(q string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				n++
				_, err = fs.ReadFile(acq.FS, q)
			}
			return err
		})
		if err != nil || n == 0 {
			t.Errorf("%s: reading the view: %d files, %v", p, n, err)
		}
		if acq.Close != nil {
			acq.Close()
		}
	}
	after := snapshot(t, root)
	if !reflect.DeepEqual(before, after) {
		for p, s := range after {
			if before[p] != s {
				t.Errorf("%s changed: %+v -> %+v", p, before[p], s)
			}
		}
		for p := range before {
			if _, ok := after[p]; !ok {
				t.Errorf("%s removed", p)
			}
		}
	}
}
