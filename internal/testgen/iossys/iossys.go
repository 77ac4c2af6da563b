// Package iossys owns the synthetic fixtures of the iOS system and
// third-party artifact modules written by the ios-mod2 helper (version
// history, applications, global preferences, Cache.db, Analytics, locationd,
// OSAnalytics ADDaily, ...): SQLite databases and plists with the real table
// schemas and keys, each with planted hits on indicators of the embedded
// snapshot and clean look-alikes that must not alert. Every fixture is a
// []iosgen.File with both the backup location (Domain, RelativePath) and the
// device location (Path) set where the artifact exists in that layout.
// Output is deterministic.
package iossys

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"howett.net/plist"
	_ "modernc.org/sqlite" // pure-Go SQLite driver

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// Planted values. Each Pegasus value is an indicator of the embedded
// Amnesty NSO snapshot; each look-alike must not match anything.
const (
	PegasusDomain    = "free247downloads.com"
	PegasusSubdomain = "url.free247downloads.com"
	LookalikeDomain  = "notfree247downloads.com"
	PegasusProcess   = "bh"
	PegasusProcess2  = "roleaccountd"
	LookalikeProcess = "roleaccountsd"
	PegasusEmail     = "bogaardlisa803@gmail.com"
	LookalikeEmail   = "bogaardlisa80@gmail.com"
	// PegasusBundleProcess is a Pegasus process name shaped like a bundle id.
	PegasusBundleProcess = "com.apple.rapports.events"
	LookalikeBundleID    = "com.apple.reports.events"
)

// Base is the reference time of the fixtures.
var Base = time.Date(2021, 7, 14, 9, 30, 0, 0, time.UTC)

// AppleSeconds returns t as seconds since 2001-01-01 UTC.
func AppleSeconds(t time.Time) float64 {
	return t.Sub(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)).Seconds()
}

// SQLite runs the statements on a fresh database in a temporary file and
// returns the file's bytes.
func SQLite(ctx context.Context, stmts ...string) ([]byte, error) {
	dir, err := os.MkdirTemp("", "iossys-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	p := filepath.Join(dir, "db.sqlite")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		return nil, err
	}
	for i, s := range stmts {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, fmt.Errorf("statement %d: %w", i, err)
		}
	}
	if err := db.Close(); err != nil {
		return nil, err
	}
	return os.ReadFile(p)
}

// Plist encodes v as a binary plist.
func Plist(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := plist.NewEncoderForFormat(&b, plist.BinaryFormat)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// XMLPlist encodes v as an XML plist.
func XMLPlist(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := plist.NewEncoderForFormat(&b, plist.XMLFormat)
	enc.Indent("\t")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// BackupFiles lays files out as a backup's FS sees them
// ("<domain>/<relativePath>", or the relative path alone for the backup's
// own root files whose Domain is "").
func BackupFiles(files []iosgen.File) map[string][]byte {
	m := map[string][]byte{}
	for _, f := range files {
		switch {
		case f.Domain != "":
			m[f.Domain+"/"+f.RelativePath] = f.Data
		case f.RelativePath != "":
			m[f.RelativePath] = f.Data
		}
	}
	return m
}

// DumpFiles lays files out as a filesystem dump's FS sees them.
func DumpFiles(files []iosgen.File) map[string][]byte {
	m := map[string][]byte{}
	for _, f := range files {
		if f.Path != "" {
			m[f.Path] = f.Data
		}
	}
	return m
}
