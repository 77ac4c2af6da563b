// Command gen-android writes generated Android acquisitions to disk, as a
// bugreport folder and an androidqf folder, for benchmarks and manual
// checks:
//
//	go run ./internal/testgen/androiddata/cmd/gen-android -out /tmp/android -dumpstate-mb 200 -packages 5000 -files 500000
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func main() {
	out := flag.String("out", "", "output directory (required)")
	mb := flag.Int64("dumpstate-mb", 0, "pad the bugreport's dumpstate to this many MB")
	pkgs := flag.Int("packages", 0, "filler packages")
	files := flag.Int("files", 0, "filler files.json entries")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "gen-android: -out is required")
		os.Exit(2)
	}
	o := androiddata.Options{Packages: *pkgs, Files: *files, DumpstateSize: *mb << 20}
	if err := write(filepath.Join(*out, "bugreport"), androiddata.Bugreport(o)); err != nil {
		fmt.Fprintln(os.Stderr, "gen-android:", err)
		os.Exit(1)
	}
	if err := write(filepath.Join(*out, "androidqf"), androiddata.AndroidQF(o)); err != nil {
		fmt.Fprintln(os.Stderr, "gen-android:", err)
		os.Exit(1)
	}
}

func write(dir string, files map[string][]byte) error {
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}
