package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// TestCompleteness: the missing files counted from folder listings are
// those a lookup of each stored copy finds absent, whether a file is
// gone from its folder, the whole folder is gone, or the folder is a link
// (inside the backup, or out of it, which a lookup refuses: not missing).
// The ids are sorted in memory, in runs on disk, or, when the sort fails,
// each copy is looked up: the same counts.
func TestCompleteness(t *testing.T) {
	files := slices.Clone(testFiles) // and 300 more: several in many folders of stored copies
	for i := range 300 {
		files = append(files, iosgen.File{Domain: "HomeDomain", RelativePath: fmt.Sprintf("Library/f%d", i), Data: []byte{byte(i)}})
	}
	dir := filepath.Join(t.TempDir(), "backup")
	if err := iosgen.WriteBackup(context.Background(), dir, iosgen.BackupSpec{Files: files}); err != nil {
		t.Fatal(err)
	}
	var folders []string
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.IsDir() && len(e.Name()) == 2 {
			folders = append(folders, e.Name())
		}
	}
	if len(folders) < 4 {
		t.Fatalf("%d folders of stored files, want 4 or more", len(folders))
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	one, err := os.ReadDir(filepath.Join(dir, folders[0]))
	must(err)
	must(os.Remove(filepath.Join(dir, folders[0], one[0].Name())))               // a file gone
	must(os.RemoveAll(filepath.Join(dir, folders[1])))                           // a folder gone
	must(os.Rename(filepath.Join(dir, folders[2]), filepath.Join(dir, "moved"))) // a link inside
	must(os.Symlink("moved", filepath.Join(dir, folders[2])))
	must(os.RemoveAll(filepath.Join(dir, folders[3]))) // a link out
	must(os.Symlink(t.TempDir(), filepath.Join(dir, folders[3])))

	b, err := Open(context.Background(), dir, Options{TempDir: t.TempDir()})
	must(err)
	defer b.Close()
	wantListed, wantMissing := 0, 0
	b.idx.each(func(_ int, r *packedRecord, str func(ref) string) bool {
		if id := str(r.id); r.flags == flagFile && validID(id) {
			wantListed++
			if _, err := b.root.Lstat(storedPath(id)); errors.Is(err, fs.ErrNotExist) {
				wantMissing++
			}
		}
		return true
	})
	if wantMissing < 2 {
		t.Fatalf("%d missing looked up one by one, want the removed file and folder counted", wantMissing)
	}
	budget0 := idBudget
	t.Cleanup(func() { idBudget = budget0 })
	for _, tc := range []struct {
		name    string
		budget  int
		tempDir string
	}{
		{"ids sorted in memory", budget0, t.TempDir()},
		{"ids sorted in runs on disk", 64, t.TempDir()},
		{"sort fails: copies looked up", 64, filepath.Join(t.TempDir(), "absent")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idBudget, b.tempDir = tc.budget, tc.tempDir
			listed, missing := b.Completeness()
			if listed != wantListed || missing != wantMissing {
				t.Errorf("Completeness = %d listed, %d missing; looked up one by one: %d, %d", listed, missing, wantListed, wantMissing)
			}
			if left, _ := os.ReadDir(tc.tempDir); len(left) > 0 {
				t.Errorf("%d files left in the temporary folder, want none", len(left))
			}
		})
	}
	t.Logf("%d listed, %d missing", wantListed, wantMissing)
}
