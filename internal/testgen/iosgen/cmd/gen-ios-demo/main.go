// Command gen-ios-demo writes the committed iOS demo inputs: demo/ios-backup
// (a plain iTunes/Finder backup with planted indicator hits and clean
// look-alikes) and demo/ios-backup-encrypted (the same, encrypted with the
// password iosgen.DemoPassword and realistic PBKDF2 rounds), with the
// artifact fixtures of internal/testgen/iosdata.
//
//	go run ./internal/testgen/iosgen/cmd/gen-ios-demo [-out demo]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func main() {
	out := flag.String("out", "demo", "output directory")
	flag.Parse()
	if err := run(context.Background(), *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen-ios-demo:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out string) error {
	spec := iosgen.DemoSpec()
	extra, err := extraFiles(ctx)
	if err != nil {
		return err
	}
	spec.Files = append(spec.Files, extra...)
	plain := filepath.Join(out, "ios-backup")
	if err := os.RemoveAll(plain); err != nil {
		return err
	}
	if err := iosgen.WriteBackup(ctx, plain, spec); err != nil {
		return err
	}
	enc := filepath.Join(out, "ios-backup-encrypted")
	if err := os.RemoveAll(enc); err != nil {
		return err
	}
	spec.Password = iosgen.DemoPassword
	spec.DPIC, spec.Iter = 10_000_000, 10_000 // what iOS 10.2+ devices use
	return iosgen.WriteBackup(ctx, enc, spec)
}
