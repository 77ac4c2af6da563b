package acquisition

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// TestFileFS holds FileFS to the fs.FS contract (testing/fstest), under a
// name other than the host file's.
func TestFileFS(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bugreport.txt")
	if err := os.WriteFile(p, []byte("== dumpstate: 2024-05-20 14:03:11\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(FileFS{Name: "dumpstate.txt", Path: p}, "dumpstate.txt"); err != nil {
		t.Fatal(err)
	}
}
