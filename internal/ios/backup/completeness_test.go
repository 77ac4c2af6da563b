package backup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// TestCompletenessAsLstat: Completeness, which lists each folder of stored
// copies once, counts what a look-up (Lstat) of every copy counts, whatever
// the folder holds: copies removed, a whole folder removed, a folder
// replaced by a file (cannot be listed), copies replaced by a folder or a
// symbolic link.
func TestCompletenessAsLstat(t *testing.T) {
	ctx := context.Background()
	var files []iosgen.File
	for i := range 120 {
		files = append(files, iosgen.File{Domain: "HomeDomain", RelativePath: fmt.Sprintf("Library/f%03d", i), Data: []byte{byte(i)}})
	}
	tests := []struct {
		name    string
		removes bool // some copies are then missing
		change  func(t *testing.T, dir string, ids []string)
	}{
		{"complete", false, func(*testing.T, string, []string) {}},
		{"copies removed", true, func(t *testing.T, dir string, ids []string) {
			for _, id := range ids[:40] {
				must(t, os.Remove(filepath.Join(dir, id[:2], id)))
			}
		}},
		{"folder removed", true, func(t *testing.T, dir string, ids []string) {
			must(t, os.RemoveAll(filepath.Join(dir, ids[0][:2])))
		}},
		{"folder replaced by a file", false, func(t *testing.T, dir string, ids []string) {
			must(t, os.RemoveAll(filepath.Join(dir, ids[0][:2])))
			must(t, os.WriteFile(filepath.Join(dir, ids[0][:2]), []byte("x"), 0o600))
		}},
		{"copies replaced by a folder and a link", false, func(t *testing.T, dir string, ids []string) {
			for i, id := range ids[:2] {
				p := filepath.Join(dir, id[:2], id)
				must(t, os.Remove(p))
				if i == 0 {
					must(t, os.Mkdir(p, 0o700))
				} else {
					must(t, os.Symlink("nowhere", p))
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "b")
			if err := iosgen.WriteBackup(ctx, dir, iosgen.BackupSpec{Files: files}); err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, f := range files {
				ids = append(ids, iosgen.FileID(f.Domain, f.RelativePath))
			}
			tt.change(t, dir, ids)
			b, err := Open(ctx, dir, Options{TempDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			wantListed, wantMissing := 0, 0
			for r := range b.Records() {
				if r.Flags != flagFile || !validID(r.FileID) {
					continue
				}
				wantListed++
				if _, err := b.root.Lstat(storedPath(r.FileID)); errors.Is(err, fs.ErrNotExist) {
					wantMissing++
				}
			}
			listed, missing := b.Completeness()
			if listed != wantListed || missing != wantMissing {
				t.Errorf("Completeness: %d listed, %d missing; per-copy Lstat: %d, %d", listed, missing, wantListed, wantMissing)
			}
			if (wantMissing > 0) != tt.removes {
				t.Errorf("%d copies missing after the change", wantMissing)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
