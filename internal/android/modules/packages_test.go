package modules_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/packages"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestPackagesGolden(t *testing.T) {
	modtest.GoldenCases(t, packages.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		for _, want := range []struct {
			level model.Level
			ind   bool
			sub   string
		}{
			{model.Critical, true, androiddata.StalkerAppID},
			{model.Medium, false, "com.topjohnwu.magisk\" is a tool to root"},
			{model.Medium, false, "\"" + androiddata.StalkerAppID + "\" has no installer"},
			{model.Medium, false, "\"org.fdroid.fdroid\" was installed from an APK"},
			{model.Info, false, "third-party store (org.fdroid.fdroid)"},
			{model.Medium, false, "Security package \"com.sec.android.soagent\" is disabled"},
		} {
			if !modtest.HasAlert(res, want.level, want.ind, want.sub) {
				t.Errorf("missing alert %q", want.sub)
			}
		}
		modtest.NoAlertMentions(t, res, androiddata.LookalikeAppID)
		if len(res.Records) != 11 {
			t.Errorf("%d packages", len(res.Records))
		}
	})
}

func TestPackagesCut(t *testing.T) {
	res := modtest.CutSection(t, packages.New(), "DUMP OF SERVICE package:", "Packages:\n  Package [com.a.b] (1):\n    userId=10001\n    installerPackageName=com.android.vending\n")
	if len(res.Records) != 1 {
		t.Errorf("cut package not kept: %d", len(res.Records))
	}
}

func FuzzPackagesParser(f *testing.F) {
	f.Add("Packages:\n  Package [a.b] (1):\n    userId=1\n    User 0: enabled=3\n      runtime permissions:\n        x: granted=true\n    pkgFlags=[ SYSTEM ]\n\n")
	f.Add("Packages:\n  Package [\n    =\n    User :")
	f.Fuzz(func(t *testing.T, s string) {
		n := 0
		p := packages.Parser{Emit: func(packages.Package) { n++ }}
		for _, l := range strings.Split(s, "\n") {
			p.Line(l)
		}
		p.Flush()
		if n > strings.Count(s, "  Package [") {
			t.Fatalf("%d packages", n)
		}
	})
}

// TestPackagesSpilled: 5,011 packages (more than the 1 MiB kept in memory
// between the pass and the report, so most wait on disk) are recorded as
// the parser emits them, in the same order, and the queue's files are gone
// once the module is done.
func TestPackagesSpilled(t *testing.T) {
	files := androiddata.AndroidQF(androiddata.Options{Packages: 5000})
	dump := string(files["dumpsys.txt"])
	_, section, ok := strings.Cut(dump, "DUMP OF SERVICE package:\n")
	if !ok {
		t.Fatal("no package service in the generated dump")
	}
	section, _, _ = strings.Cut(section, "DUMP OF SERVICE ")
	var want []string // the records, as the recorder keeps them: JSON
	p := packages.Parser{Emit: func(pk packages.Package) {
		b, err := json.Marshal(pk)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, string(b))
	}}
	for _, l := range strings.Split(section, "\n") {
		p.Line(l)
	}
	p.Flush()
	if len(want) != 5011 {
		t.Fatalf("parser emitted %d packages", len(want))
	}
	dir, tmp := t.TempDir(), t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dumpsys.txt"), files["dumpsys.txt"], 0o644); err != nil {
		t.Fatal(err)
	}
	rec := module.NewRecorder(packages.Name, modtest.Index(t), nil)
	in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.AndroidQF, FS: os.DirFS(dir)}, Index: modtest.Index(t), TempDir: tmp}
	if err := packages.New().Run(context.Background(), in, rec); err != nil {
		t.Fatal(err)
	}
	res := rec.Result()
	if res.Status != "" && res.Status != model.StatusOK || len(res.Errors) > 0 {
		t.Fatalf("status %q, errors %v", res.Status, res.Errors)
	}
	if len(res.Records) != len(want) {
		t.Fatalf("%d records, %d packages", len(res.Records), len(want))
	}
	for i, r := range res.Records {
		b, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		if string(b) != want[i] {
			t.Fatalf("record %d: %s, want %s", i, b, want[i])
		}
	}
	if left, err := os.ReadDir(tmp); err != nil || len(left) > 0 {
		t.Errorf("temporary folder holds %d files after the module (%v)", len(left), err)
	}
}

// BenchmarkDumpsysPackages5000 parses the package section of a dumpsys with 5,000
// packages.
func BenchmarkDumpsysPackages5000(b *testing.B) {
	files := androiddata.AndroidQF(androiddata.Options{Packages: 5000})
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "dumpsys.txt"), files["dumpsys.txt"], 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(files["dumpsys.txt"])))
	b.ResetTimer()
	for range b.N {
		rec := module.NewRecorder(packages.Name, modtest.Index(b), nil)
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.AndroidQF, FS: os.DirFS(dir)}, Index: modtest.Index(b), TempDir: dir}
		if err := (packages.New()).Run(context.Background(), in, rec); err != nil {
			b.Fatal(err)
		}
		if r := rec.Result(); len(r.Records) != 5011 {
			b.Fatalf("%d records", len(r.Records))
		}
	}
}
