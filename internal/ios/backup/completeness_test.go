package backup

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// TestCompleteness: the missing files counted from folder listings are
// those a lookup of each stored copy finds absent, whether a file is
// gone from its folder, the whole folder is gone, or the folder is a link
// (inside the backup, or out of it, which a lookup refuses: not missing).
func TestCompleteness(t *testing.T) {
	dir := write(t, "")
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
	listed, missing := b.Completeness()
	if listed != wantListed || missing != wantMissing {
		t.Errorf("Completeness = %d listed, %d missing; looked up one by one: %d, %d", listed, missing, wantListed, wantMissing)
	}
	t.Logf("%d listed, %d missing", listed, missing)
	if missing < 2 {
		t.Errorf("%d missing, want the removed file and folder counted", missing)
	}
}
