package fsdump

import (
	"context"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// TestMutatedArchives opens randomly damaged archives: each must fail or
// read cleanly within seconds (no panic, no hang, no huge allocation).
func TestMutatedArchives(t *testing.T) {
	dir := t.TempDir()
	r := rand.New(rand.NewPCG(1, 2))
	for i, format := range []iosgen.DumpFormat{iosgen.DumpTar, iosgen.DumpTarGz, iosgen.DumpZip} {
		p := filepath.Join(dir, "seed"+string(rune('0'+i)))
		iosgen.WriteDump(p, iosgen.DumpSpec{Files: files, Links: links, Format: format})
		seed, _ := os.ReadFile(p)
		for k := 0; k < 200; k++ {
			b := append([]byte(nil), seed...)
			for m := 0; m < 1+r.IntN(4); m++ {
				b[r.IntN(len(b))] = byte(r.IntN(256))
			}
			q := filepath.Join(dir, "in")
			os.WriteFile(q, b, 0o600)
			done := make(chan bool)
			go func() {
				a, err := OpenArchive(context.Background(), q, dir)
				if err == nil {
					fs.WalkDir(a, ".", func(name string, d fs.DirEntry, err error) error {
						if err == nil && !d.IsDir() {
							fs.ReadFile(a, name)
						}
						return nil
					})
					a.Close()
				}
				close(done)
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatalf("hang on format %d mutation %d", i, k)
			}
		}
	}
}
