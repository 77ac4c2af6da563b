package modtest

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/acquire"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// BackupFS lays generated iOS files out as a backup
// ("<domain>/<relativePath>"; a file with a relative path and no domain,
// such as Info.plist, at the backup's root, as iosdata.BackupFiles does);
// files with neither are left out.
func BackupFS(files []iosgen.File) fstest.MapFS {
	m := fstest.MapFS{}
	for _, f := range files {
		switch {
		case f.Domain != "":
			m[f.Domain+"/"+f.RelativePath] = &fstest.MapFile{Data: f.Data, Mode: 0o444, ModTime: mtime}
		case f.RelativePath != "":
			m[f.RelativePath] = &fstest.MapFile{Data: f.Data, Mode: 0o444, ModTime: mtime}
		}
	}
	return m
}

// DumpFS lays generated iOS files out as a filesystem dump (device paths).
func DumpFS(files []iosgen.File) fstest.MapFS {
	m := fstest.MapFS{}
	for _, f := range files {
		if f.Path != "" {
			m[f.Path] = &fstest.MapFile{Data: f.Data, Mode: 0o444, ModTime: mtime}
		}
	}
	return m
}

// Layouts returns the backup and dump cases of files (a layout with no
// file is left out).
func Layouts(files []iosgen.File) []Case {
	var out []Case
	if b := BackupFS(files); len(b) > 0 {
		out = append(out, Case{"backup", acquisition.IOSBackup, b})
	}
	if d := DumpFS(files); len(d) > 0 {
		out = append(out, Case{"dump", acquisition.IOSFilesystem, d})
	}
	return out
}

// GoldenLayouts runs m on every layout of files, wants no file error,
// compares each result with testdata/<module>.<layout>.golden.json and
// calls check on it.
func GoldenLayouts(t *testing.T, m module.Module, files []iosgen.File, check func(t *testing.T, c Case, res model.ModuleResult)) {
	t.Helper()
	runCases(t, m, Layouts(files), func(c Case) string { return m.Name() + "." + c.Name }, func(t *testing.T, c Case, res model.ModuleResult) {
		if len(res.Errors) > 0 {
			t.Errorf("errors: %+v", res.Errors)
		}
		check(t, c, res)
	})
}

// CheckCorrupt runs m on both layouts of files with every file garbled
// (iosdata.Corrupt) and wants, for each file it read, an error naming it
// and no failure of the module as a whole.
func CheckCorrupt(t *testing.T, m module.Module, files []iosgen.File) {
	t.Helper()
	bad := make([]iosgen.File, len(files))
	for i, f := range files {
		bad[i] = f
		bad[i].Data = iosdata.Corrupt(f.Data)
	}
	for _, c := range Layouts(bad) {
		res, err := Run(t, m, c.Kind, c.FS)
		if err != nil {
			t.Errorf("%s: module failed: %v", c.Name, err)
			continue
		}
		for p := range c.FS {
			if !m.Applies(c.Kind) || !contains(res.Files, p) {
				continue
			}
			found := false
			for _, e := range res.Errors {
				found = found || strings.Contains(e.Error, p)
			}
			if !found {
				t.Errorf("%s: no error naming %s: %+v", c.Name, p, res.Errors)
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// OpenIOS opens the iOS acquisition at p (a backup, dump or sysdiagnose
// the test wrote) with the real opener, as a scan would, and closes it
// when the test ends. A missing TempDir in opts is the test's own.
func OpenIOS(t testing.TB, p string, kind acquisition.Kind, opts acquisition.Options) *acquisition.Acquisition {
	t.Helper()
	if opts.TempDir == "" {
		opts.TempDir = t.TempDir()
	}
	acq, err := acquire.Opener{}.Open(context.Background(), p, kind, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := acq.Close(); err != nil {
			t.Error(err)
		}
	})
	return acq
}
