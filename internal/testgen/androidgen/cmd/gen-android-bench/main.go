// Command gen-android-bench writes the large Android inputs of the
// benchmarks: a bugreport zip whose dumpstate is padded to -size bytes
// (streamed, never held in memory) and an androidqf folder with -packages
// packages and -files files.json entries.
//
//	go run ./internal/testgen/androidgen/cmd/gen-android-bench -out /tmp/bench -size 200000000 -packages 5000 -files 500000
package main

import (
	"archive/zip"
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

func main() {
	out := flag.String("out", "bench-data", "output directory")
	size := flag.Int64("size", 200_000_000, "uncompressed dumpstate size of the bugreport")
	pkgs := flag.Int("packages", 5000, "packages in the androidqf acquisition")
	files := flag.Int("files", 500_000, "files.json entries in the androidqf acquisition")
	flag.Parse()
	if err := run(*out, *size, *pkgs, *files); err != nil {
		fmt.Fprintln(os.Stderr, "gen-android-bench:", err)
		os.Exit(1)
	}
}

func run(out string, size int64, pkgs, files int) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	if err := bugreport(filepath.Join(out, "bugreport-200mb.zip"), size); err != nil {
		return err
	}
	dir := filepath.Join(out, "androidqf-large")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	o := androiddata.Options{Packages: pkgs, Files: files}
	return androidgen.WriteQFFolder(dir, androidgen.Files(androiddata.AndroidQF(o)))
}

// bugreport writes the zip, streaming the padded dumpstate into its entry.
func bugreport(p string, size int64) error {
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw := zip.NewWriter(bw)
	small := androiddata.Bugreport(androiddata.Options{})
	main := string(small["main_entry.txt"])
	names := make([]string, 0, len(small))
	for n := range small {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: androidgen.Epoch})
		if err != nil {
			return err
		}
		if n == main {
			err = androiddata.WriteDumpstate(w, androiddata.Options{DumpstateSize: size})
		} else {
			_, err = w.Write(small[n])
		}
		if err != nil {
			return err
		}
	}
	if err := zw.Close(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return f.Close()
}
