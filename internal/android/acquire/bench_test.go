package acquire_test

import (
	"context"
	"github.com/spyscan/spyscan/internal/scan"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

// readAll streams every file of the view, returning the bytes read.
func readAll(b *testing.B, fsys fs.FS) int64 {
	var n int64
	buf := make([]byte, 256<<10)
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		f, err := fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		m, err := io.CopyBuffer(io.Discard, f, buf)
		n += m
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

func benchOpenRead(b *testing.B, p string) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		var acq *acquisition.Acquisition
		for _, o := range scan.Openers() {
			if k, ok := o.Detect(ctx, p); ok {
				var err error
				if acq, err = o.Open(ctx, p, k, acquisition.Options{TempDir: b.TempDir()}); err != nil {
					b.Fatal(err)
				}
				break
			}
		}
		if acq == nil {
			b.Fatal("not recognised")
		}
		b.SetBytes(readAll(b, acq.FS))
		if acq.Close != nil {
			acq.Close()
		}
	}
}

// BenchmarkBugreportZip opens a generated bugreport zip (16 MB dumpstate)
// and streams every entry.
func BenchmarkBugreportZip(b *testing.B) {
	files := androidgen.Files(androiddata.Bugreport(androiddata.Options{DumpstateSize: 16 << 20}))
	p := filepath.Join(b.TempDir(), "bugreport.zip")
	if err := androidgen.WriteZipFile(p, files, false); err != nil {
		b.Fatal(err)
	}
	benchOpenRead(b, p)
}

// BenchmarkQFZipNested opens an androidqf zip with a nested (deflated)
// bugreport.zip and a compressed backup.ab, and streams every file.
func BenchmarkQFZipNested(b *testing.B) {
	m := androiddata.AndroidQF(androiddata.Options{Packages: 200, Files: 20000})
	m["bugreport.zip"] = androidgen.ZipBytes(androidgen.Files(androiddata.Bugreport(androiddata.Options{DumpstateSize: 4 << 20})), false)
	m["backup.ab"] = androidgen.Backup(androidgen.BackupContents(), androidgen.BackupOptions{Compressed: true})
	p := filepath.Join(b.TempDir(), "qf.zip")
	if err := androidgen.WriteZipFile(p, androidgen.QFFiles("qf", androidgen.Files(m)), false); err != nil {
		b.Fatal(err)
	}
	benchOpenRead(b, p)
}

// BenchmarkExternal opens and streams the input named by
// SPYSCAN_BENCH_INPUT (bench/android.sh uses it on the 200 MB bugreport).
func BenchmarkExternal(b *testing.B) {
	p := os.Getenv("SPYSCAN_BENCH_INPUT")
	if p == "" {
		b.Skip("SPYSCAN_BENCH_INPUT not set")
	}
	benchOpenRead(b, p)
}
