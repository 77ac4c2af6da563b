package modtest

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/acquire"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

// Cases returns the generated bugreport and androidqf acquisitions.
func Cases() []Case {
	return []Case{
		{"bugreport", acquisition.AndroidBugreport, FS(androiddata.Bugreport(androiddata.Options{}))},
		{"androidqf", acquisition.AndroidQF, FS(androiddata.AndroidQF(androiddata.Options{}))},
	}
}

// CutSection runs m on a bugreport whose dump ends inside the section that
// starts with header and has body, and checks that the module reports the
// cut as an error naming the dump and goes on (no failure). It returns the
// result for further checks.
func CutSection(t *testing.T, m module.Module, header, body string) model.ModuleResult {
	t.Helper()
	files := map[string][]byte{"main_entry.txt": []byte("dumpstate-cut.txt\n"),
		"dumpstate-cut.txt": []byte("== dumpstate: 2024-05-20 14:03:11\n" + header + "\n" + body)}
	res, err := Run(t, m, acquisition.AndroidBugreport, files)
	if err != nil {
		t.Fatalf("module failed on a cut section: %v", err)
	}
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Error, "dumpstate-cut.txt") {
		t.Fatalf("cut section not reported: %+v", res.Errors)
	}
	return res
}

// QFShapes writes an androidqf acquisition (the generated one, with extra
// files added or replacing its own) as a folder and as a zip that wraps it
// in one top-level folder, as users hand them over, opens each with the
// androidqf opener and returns them by shape ("folder", "zip").
func QFShapes(t testing.TB, extra map[string][]byte) map[string]*acquisition.Acquisition {
	t.Helper()
	m := androiddata.AndroidQF(androiddata.Options{})
	for p, b := range extra {
		m[p] = b
	}
	files := androidgen.QFFiles("3f1c2b9e", androidgen.Files(m))
	dir := t.TempDir()
	folder := filepath.Join(dir, "3f1c2b9e")
	if err := androidgen.WriteFolder(folder, files); err != nil {
		t.Fatal(err)
	}
	var wrapped []androidgen.File
	for _, f := range files {
		wrapped = append(wrapped, androidgen.File{Path: "3f1c2b9e/" + f.Path, Data: f.Data})
	}
	zp := filepath.Join(dir, "androidqf.zip")
	if err := androidgen.WriteZipFile(zp, wrapped, false); err != nil {
		t.Fatal(err)
	}
	out := map[string]*acquisition.Acquisition{}
	for shape, p := range map[string]string{"folder": folder, "zip": zp} {
		op := &acquire.QF{}
		kind, ok := op.Detect(context.Background(), p)
		if !ok || kind != acquisition.AndroidQF {
			t.Fatalf("%s: not recognised as androidqf (%q)", p, kind)
		}
		acq, err := op.Open(context.Background(), p, kind, acquisition.Options{TempDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if acq.Close != nil {
				acq.Close()
			}
		})
		out[shape] = acq
	}
	return out
}

// GoldenQF runs m on both shapes of QFShapes(extra), wants no module
// error, calls check on each result and compares it with
// testdata/<module>.<shape>.golden.json.
func GoldenQF(t *testing.T, m module.Module, extra map[string][]byte, check func(t *testing.T, shape string, res model.ModuleResult)) {
	t.Helper()
	acqs := QFShapes(t, extra)
	for _, shape := range []string{"folder", "zip"} {
		t.Run(shape, func(t *testing.T) {
			res, err := RunAcq(t, m, acqs[shape], Index(t))
			if err != nil {
				t.Fatal(err)
			}
			if check != nil {
				check(t, shape, res)
			}
			Golden(t, m.Name()+"."+shape, res)
		})
	}
}
