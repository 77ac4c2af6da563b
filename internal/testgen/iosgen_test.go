package testgen_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// tree reads every regular file under root.
func tree(t *testing.T, root string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, a, b map[string][]byte) {
	t.Helper()
	if len(a) != len(b) {
		t.Errorf("%d files vs %d", len(a), len(b))
	}
	for k, v := range a {
		if !bytes.Equal(v, b[k]) {
			t.Errorf("%s differs", k)
		}
	}
}

// Same spec, same bytes: fixtures and the demo are reproducible.
func TestIOSGenDeterministic(t *testing.T) {
	ctx := context.Background()
	spec := iosgen.BackupSpec{Files: iosgen.DemoBackupFiles(), Password: "pw", Apps: iosgen.DemoApps}
	var trees []map[string][]byte
	for range 2 {
		d := filepath.Join(t.TempDir(), "b")
		if err := iosgen.WriteBackup(ctx, d, spec); err != nil {
			t.Fatal(err)
		}
		trees = append(trees, tree(t, d))
	}
	sameTree(t, trees[0], trees[1])
	for _, f := range []iosgen.DumpFormat{iosgen.DumpTar, iosgen.DumpTarGz, iosgen.DumpZip} {
		var bs [][]byte
		for range 2 {
			p := filepath.Join(t.TempDir(), "d")
			if err := iosgen.WriteDump(p, iosgen.DumpSpec{Files: iosgen.DemoBackupFiles(), Format: f}); err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(p)
			bs = append(bs, b)
		}
		if !bytes.Equal(bs[0], bs[1]) {
			t.Errorf("format %d not reproducible", f)
		}
	}
}

// The committed plain demo backup holds what gen-ios-demo writes today: the
// same plists and the same stored files (Manifest.db is not compared, so
// that artifact fixtures added by gen-ios-demo do not break this test).
func TestIOSGenDemoUpToDate(t *testing.T) {
	committed := filepath.Join("..", "..", "demo", "ios-backup")
	if _, err := os.Stat(committed); err != nil {
		t.Skip("no committed demo")
	}
	d := filepath.Join(t.TempDir(), "ios-backup")
	if err := iosgen.WriteBackup(context.Background(), d, iosgen.DemoSpec()); err != nil {
		t.Fatal(err)
	}
	got, want := tree(t, d), tree(t, committed)
	delete(got, "Manifest.db")
	for k, v := range got {
		if !bytes.Equal(v, want[k]) {
			t.Errorf("demo/ios-backup/%s is stale: run go run ./internal/testgen/iosgen/cmd/gen-ios-demo", k)
		}
	}
}
