package backup

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// BenchmarkCBCReader measures AES-256-CBC decryption with the padding check
// as done for every encrypted backup file, from memory (one core).
func BenchmarkCBCReader(b *testing.B) {
	key := bytes.Repeat([]byte{7}, 32)
	plain := bytes.Repeat([]byte("0123456789abcdef"), 4<<20/16) // 4 MiB
	padded := append(append([]byte(nil), plain...), bytes.Repeat([]byte{16}, 16)...)
	ct := make([]byte, len(padded))
	block, _ := aes.NewCipher(key)
	cipher.NewCBCEncrypter(block, zeroIV).CryptBlocks(ct, padded)
	b.SetBytes(int64(len(plain)))
	b.ResetTimer()
	cpu := cpuSeconds()
	defer func() { reportCPU(b, cpu, int64(len(plain))) }()
	for range b.N {
		r, err := newCBCReader(bytes.NewReader(ct), key, int64(len(ct)), int64(len(plain)))
		if err != nil {
			b.Fatal(err)
		}
		n, err := io.Copy(io.Discard, r)
		if err != nil || n != int64(len(plain)) {
			b.Fatal(n, err)
		}
	}
}

var (
	benchMu   sync.Mutex
	benchDirs = map[string]string{}
	benchRoot string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchRoot != "" {
		os.RemoveAll(benchRoot)
	}
	os.Exit(code)
}

// benchBackup writes (once per process) a backup of n files of size bytes.
func benchBackup(b *testing.B, name string, n, size int, password string) string {
	b.Helper()
	key := fmt.Sprint(name, n, size, password)
	benchMu.Lock()
	defer benchMu.Unlock()
	if d, ok := benchDirs[key]; ok {
		return d
	}
	if benchRoot == "" {
		var err error
		if benchRoot, err = os.MkdirTemp("", "backup-bench-*"); err != nil {
			b.Fatal(err)
		}
	}
	dir := filepath.Join(benchRoot, name)
	files := make([]iosgen.File, n)
	data := bytes.Repeat([]byte("x"), size)
	for i := range files {
		files[i] = iosgen.File{Domain: "HomeDomain", RelativePath: fmt.Sprintf("Library/Bench/%03d/file-%06d.dat", i%1000, i), Data: data}
	}
	if err := iosgen.WriteBackup(context.Background(), dir, iosgen.BackupSpec{Files: files, Password: password}); err != nil {
		b.Fatal(err)
	}
	benchDirs[key] = dir
	return dir
}

// BenchmarkDecryptBackup reads every file of an encrypted backup (256 files
// of 256 KiB) through the FS: key unwrap, file read, decryption, padding.
func BenchmarkDecryptBackup(b *testing.B) {
	dir := benchBackup(b, "enc", 256, 256<<10, "pw")
	pw := func(context.Context, string) (string, error) { return "pw", nil }
	bk, err := Open(context.Background(), dir, Options{Password: pw, TempDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(256 * 256 << 10)
	b.ResetTimer()
	cpu := cpuSeconds()
	defer func() { reportCPU(b, cpu, 256*256<<10) }()
	for range b.N {
		st, err := bk.DecryptAllTo(context.Background(), func(string) io.Writer { return io.Discard })
		if err != nil || st.Files != 256 || len(st.Failed) > 0 {
			b.Fatal(st, err)
		}
	}
}

// BenchmarkOpenBackup100k opens a plain backup of 100,000 files (Manifest.db
// read, tree built) and walks every path with fs.WalkDir. heap-B/file is
// the live heap the opened backup holds (its Manifest index), per record.
func BenchmarkOpenBackup100k(b *testing.B) {
	dir := benchBackup(b, "big", 100_000, 16, "")
	b.ResetTimer()
	cpu := cpuSeconds()
	defer func() { reportCPUTime(b, cpu) }()
	for range b.N {
		before := liveHeap()
		bk, err := Open(context.Background(), dir, Options{TempDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(liveHeap()-before)/float64(countRecords(bk)), "heap-B/file")
		n := 0
		err = fs.WalkDir(bk, ".", func(string, fs.DirEntry, error) error { n++; return nil })
		if err != nil || n < 100_000 {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkRecords100k decodes every MBFile record of a 100,000-file backup
// (what the manifest module does).
func BenchmarkRecords100k(b *testing.B) {
	dir := benchBackup(b, "big", 100_000, 16, "")
	b.ResetTimer()
	cpu := cpuSeconds()
	defer func() { reportCPUTime(b, cpu) }()
	for range b.N {
		bk, err := Open(context.Background(), dir, Options{TempDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		if countRecords(bk) < 100_000 {
			b.Fatal("records")
		}
	}
}

// BenchmarkOpenRecords4k opens a plain backup of 4,000 files, about the
// size of MVT's sample (3,721 records), and reads every record: the fixed
// part of a small scan's backup opening, where each allocated byte is a
// fresh page (the collector does not run before 64 MB).
func BenchmarkOpenRecords4k(b *testing.B) {
	dir := benchBackup(b, "small", 4_000, 16, "")
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		bk, err := Open(context.Background(), dir, Options{TempDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		if countRecords(bk) < 4_000 {
			b.Fatal("records")
		}
		bk.Close()
	}
}

// liveHeap is the heap in use after a collection.
func liveHeap() int64 {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

func reportCPU(b *testing.B, start float64, perOp int64) {
	if d := cpuSeconds() - start; d > 0 {
		b.ReportMetric(float64(perOp)*float64(b.N)/d/1e6, "MB/cpu-s")
	}
}

func reportCPUTime(b *testing.B, start float64) {
	if d := cpuSeconds() - start; d > 0 {
		b.ReportMetric(d/float64(b.N), "cpu-s/op")
	}
}

// BenchmarkCompleteness20k counts the stored copies present in a plain
// backup of 20,000 files (what opening a backup reports as files_listed and
// files_missing).
func BenchmarkCompleteness20k(b *testing.B) {
	dir := benchBackup(b, "c20k", 20_000, 16, "")
	bk, err := Open(context.Background(), dir, Options{TempDir: b.TempDir()})
	if err != nil {
		b.Fatal(err)
	}
	defer bk.Close()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuSeconds()
	defer func() { reportCPUTime(b, cpu) }()
	for range b.N {
		if listed, missing := bk.Completeness(); listed != 20_000 || missing != 0 {
			b.Fatal(listed, missing)
		}
	}
}
