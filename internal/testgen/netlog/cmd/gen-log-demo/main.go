// Command gen-log-demo writes the demo Zeek logs under demo/zeek: a small
// dns.log and ssl.log of one phone with a planted Pegasus domain and clean
// look-alikes. Run from the repository root:
//
//	go run ./internal/testgen/netlog/cmd/gen-log-demo
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/testgen/netlog"
)

func main() {
	dir := flag.String("dir", "demo/zeek", "output folder")
	flag.Parse()
	if err := run(*dir); err != nil {
		fmt.Fprintln(os.Stderr, "gen-log-demo:", err)
		os.Exit(1)
	}
}

func run(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, write := range map[string]func(io.Writer) error{
		"dns.log": netlog.WriteDemoDNS,
		"ssl.log": netlog.WriteDemoSSL,
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	return nil
}
