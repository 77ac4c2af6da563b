package backupab_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/spyscan/spyscan/internal/android/backupab"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

func benchFiles() []androidgen.File {
	var fs []androidgen.File
	for i := 0; i < 200; i++ {
		fs = append(fs, androidgen.File{Path: "apps/com.example/f/file" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
			Data: bytes.Repeat([]byte("backup data line\n"), 3000)})
	}
	return fs
}

// BenchmarkOpenCompressed indexes a 10 MB zlib backup.
func BenchmarkOpenCompressed(b *testing.B) {
	ab := androidgen.Backup(benchFiles(), androidgen.BackupOptions{Compressed: true})
	b.SetBytes(200 * 3000 * 17)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := backupab.Open(context.Background(), "b.ab", src(ab), nil, backupab.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenEncrypted indexes the same backup encrypted (10 PBKDF2
// rounds, so the AES-CBC stream dominates).
func BenchmarkOpenEncrypted(b *testing.B) {
	ab := androidgen.Backup(benchFiles(), androidgen.BackupOptions{Compressed: true, Password: "p", Rounds: 10, Seed: "b"})
	b.SetBytes(200 * 3000 * 17)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := backupab.Open(context.Background(), "b.ab", src(ab), pw("p"), backupab.DefaultLimits); err != nil {
			b.Fatal(err)
		}
	}
}
