// Command gen-android-demo writes the committed Android demo inputs:
// demo/android-bugreport.zip, demo/androidqf/ (with a nested bugreport.zip,
// an unencrypted backup.ab, Intrusion Logs, browser history, Magisk modules
// and Samsung framework logs) and demo/backup.ab, all with
// planted indicator hits and clean look-alikes (internal/testgen/androiddata).
//
//	go run ./internal/testgen/androidgen/cmd/gen-android-demo [-out demo]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spyscan/spyscan/internal/testgen/androidbrowser"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

func main() {
	out := flag.String("out", "demo", "output directory")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen-android-demo:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	br := androidgen.Files(androiddata.Bugreport(androiddata.Options{}))
	if err := androidgen.WriteZipFile(filepath.Join(out, "android-bugreport.zip"), br, false); err != nil {
		return err
	}
	backup := androidgen.Backup(androidgen.BackupContents(), androidgen.BackupOptions{Compressed: true})
	if err := os.WriteFile(filepath.Join(out, "backup.ab"), backup, 0o644); err != nil {
		return err
	}
	qf := androiddata.AndroidQF(androiddata.Options{})
	qf["bugreport.zip"] = androidgen.ZipBytes(br, false)
	qf["backup.ab"] = backup
	for _, extra := range []map[string][]byte{androiddata.IntrusionLogs("intrusion_logs", false),
		androidbrowser.BrowserHistory(), androiddata.MagiskModules(), androiddata.SamsungSFSLogs()} {
		for p, b := range extra {
			qf[p] = b
		}
	}
	dir := filepath.Join(out, "androidqf")
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return androidgen.WriteQFFolder(dir, androidgen.Files(qf))
}
