package fsdump

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// FuzzOpenArchive feeds arbitrary bytes as an archive: indexing, walking and
// reading must fail cleanly, never panic or escape.
func FuzzOpenArchive(f *testing.F) {
	dir := f.TempDir()
	for i, format := range []iosgen.DumpFormat{iosgen.DumpTar, iosgen.DumpTarGz, iosgen.DumpZip} {
		p := filepath.Join(dir, "seed"+string(rune('0'+i)))
		if err := iosgen.WriteDump(p, iosgen.DumpSpec{Files: files, Links: links, Format: format}); err != nil {
			f.Fatal(err)
		}
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "in")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		a, err := OpenArchive(context.Background(), p, t.TempDir())
		if err != nil {
			return
		}
		defer a.Close()
		_ = fs.WalkDir(a, ".", func(name string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				_, _ = fs.ReadFile(a, name)
			}
			return nil
		})
	})
}
