package dumpsys

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

var (
	bigOnce sync.Once
	bigDir  string
	bigPath string
	bigErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if bigDir != "" {
		os.RemoveAll(bigDir)
	}
	os.Exit(code)
}

// bigDumpstate writes the 200 MB generated dumpstate to a temporary file
// once per test binary.
func bigDumpstate(b *testing.B) string {
	bigOnce.Do(func() {
		bigDir, bigErr = os.MkdirTemp("", "dumpsys-bench")
		if bigErr != nil {
			return
		}
		bigPath = filepath.Join(bigDir, "dumpstate.txt")
		f, err := os.Create(bigPath)
		if err != nil {
			bigErr = err
			return
		}
		bigErr = androiddata.WriteDumpstate(f, androiddata.Options{DumpstateSize: 200 << 20})
		if err := f.Close(); bigErr == nil {
			bigErr = err
		}
	})
	if bigErr != nil {
		b.Fatal(bigErr)
	}
	return bigPath
}

// BenchmarkSplit200MB streams the 200 MB generated dumpstate from disk
// through the splitter, visiting every line (MB/s is the figure).
func BenchmarkSplit200MB(b *testing.B) {
	p := bigDumpstate(b)
	st, err := os.Stat(p)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(st.Size())
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		stats, err := Split(context.Background(), f, Visitor{Line: func(*Section, []byte) error { n++; return nil }})
		f.Close()
		if err != nil || stats.Bytes != st.Size() || stats.Sections < 10 {
			b.Fatalf("%v %+v", err, stats)
		}
	}
}

// BenchmarkLinesOneService200MB is what a module does: stream the whole
// dumpstate and keep one service's lines.
func BenchmarkLinesOneService200MB(b *testing.B) {
	p := bigDumpstate(b)
	st, _ := os.Stat(p)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for range b.N {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		match := IsService("package")
		n, found := 0, 0
		_, err = Split(context.Background(), f, Visitor{
			Line: func(s *Section, _ []byte) error {
				if Within(s, match) {
					n++
				}
				return nil
			},
			End: func(s *Section) error {
				if match(s) {
					found++
				}
				return nil
			},
		})
		f.Close()
		if err != nil || found != 1 || n == 0 {
			b.Fatalf("%v: %d sections, %d lines", err, found, n)
		}
	}
}
