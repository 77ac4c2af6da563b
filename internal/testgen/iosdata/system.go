package iosdata

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"howett.net/plist"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// System returns every system-artifact fixture, for writing a whole synthetic
// backup or dump (demo data, end-to-end tests, benchmarks). The backup's
// Info.plist of the Applications fixture (empty Domain) is included; the
// backup writer skips it, as it writes its own.
func System(ctx context.Context) ([]iosgen.File, error) {
	out := VersionHistory()
	out = append(out, Applications()...)
	out = append(out, GlobalPreferences(LockdownOff)...)
	for _, gen := range []func(context.Context) ([]iosgen.File, error){CacheFiles, Analytics} {
		fs, err := gen(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	out = append(out, LocationdClients()...)
	out = append(out, OSAnalyticsADDaily()...)
	fs, err := WebKitFolders(ctx)
	if err != nil {
		return nil, err
	}
	return append(out, fs...), nil
}

// Planted values of the system-artifact fixtures (with PegasusDomain,
// PegasusProcess, PegasusProcess2 and LookalikeDomain). Each Pegasus value
// is an indicator of the embedded Amnesty NSO snapshot; each look-alike
// must not match anything.
const (
	PegasusSubdomain2 = "url.free247downloads.com"
	LookalikeProcess  = "roleaccountsd"
	PegasusEmail      = "bogaardlisa803@gmail.com"
	LookalikeEmail    = "bogaardlisa80@gmail.com"
	// PegasusBundleProcess is a Pegasus process name shaped like a bundle id.
	PegasusBundleProcess = "com.apple.rapports.events"
	LookalikeBundleID    = "com.apple.reports.events"
)

// sysBase is the reference time of the system-artifact fixtures.
var sysBase = time.Date(2021, 7, 14, 9, 30, 0, 0, time.UTC)

// XMLPlist encodes v as an XML plist; it panics on a generator bug.
func XMLPlist(v any) []byte {
	var b bytes.Buffer
	enc := plist.NewEncoderForFormat(&b, plist.XMLFormat)
	enc.Indent("\t")
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("iosdata: XML plist: %v", err))
	}
	return b.Bytes()
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
