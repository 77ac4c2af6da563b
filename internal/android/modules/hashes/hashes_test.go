package hashes_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/hashes"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

func qf(storage string) map[string][]byte {
	m := map[string][]byte{}
	for _, f := range androidgen.QFFiles(storage, androidgen.Files(androiddata.AndroidQF(androiddata.Options{}))) {
		m[f.Path] = f.Data
	}
	return m
}

func TestIntact(t *testing.T) {
	for _, storage := range []string{"3f1c2b9e", "/home/a/androidqf/3f1c2b9e", `C:\Users\a\3f1c2b9e`} {
		res, err := modtest.Run(t, hashes.New(), acquisition.AndroidQF, qf(storage))
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Alerts) != 0 || len(res.Errors) != 0 {
			t.Errorf("%s: alerts %+v errors %+v", storage, res.Alerts, res.Errors)
		}
		if res.Seen != len(androiddata.AndroidQF(androiddata.Options{}))-1 { // all but acquisition.json
			t.Errorf("%s: seen %d", storage, res.Seen)
		}
	}
}

func TestAltered(t *testing.T) {
	files := qf("/data/3f1c2b9e")
	files["getprop.txt"] = append(files["getprop.txt"], "[ro.debuggable]: [1]\n"...)
	delete(files, "processes.txt")
	files["command.log"] = append(files["command.log"], "INFO finished\n"...)
	files["notes.txt"] = []byte("analyst notes")
	files["bugreport/main_entry.txt"] = []byte("mounted, not listed") // a mount, not flagged
	res, err := modtest.Run(t, hashes.New(), acquisition.AndroidQF, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		level model.Level
		sub   string
	}{
		{model.High, "getprop.txt does not match"},
		{model.High, "processes.txt is listed in hashes.csv but missing"},
		{model.Low, "command.log differs"},
		{model.Medium, "notes.txt is in the acquisition but not in hashes.csv"},
	} {
		if !modtest.HasAlert(res, want.level, false, want.sub) {
			t.Errorf("no %s alert %q", want.level, want.sub)
		}
	}
	if len(res.Alerts) != 4 {
		t.Errorf("%d alerts: %+v", len(res.Alerts), res.Alerts)
	}
	modtest.NoAlertMentions(t, res, "main_entry")
	modtest.Golden(t, "altered", res)
}

func TestIndicatorHash(t *testing.T) {
	files := qf("x")
	files["hashes.csv"] = append(files["hashes.csv"], "x/apks/com.ispyoo.apk,"+androiddata.StalkerAPKSHA256+"\n"...)
	files["apks/com.ispyoo.apk"] = []byte("apk") // content differs from the listed hash too
	res, err := modtest.Run(t, hashes.New(), acquisition.AndroidQF, files)
	if err != nil {
		t.Fatal(err)
	}
	if !modtest.HasAlert(res, model.High, true, androiddata.StalkerAPKSHA256) {
		t.Errorf("stalkerware APK hash not matched: %+v", res.Alerts)
	}
}

func TestBadList(t *testing.T) {
	_, err := modtest.Run(t, hashes.New(), acquisition.AndroidQF, map[string][]byte{"getprop.txt": nil})
	if !errors.Is(err, module.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
	res, err := modtest.Run(t, hashes.New(), acquisition.AndroidQF, map[string][]byte{"hashes.csv": []byte("only-one-field\n")})
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "hashes.csv") {
		t.Fatalf("err %v errors %+v", err, res.Errors)
	}
	res, err = modtest.Run(t, hashes.New(), acquisition.AndroidQF, map[string][]byte{"hashes.csv": []byte("q/hashes.csv,00\nq/../../etc/passwd,00\n")})
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "not inside") {
		t.Fatalf("err %v errors %+v", err, res.Errors)
	}
}

// TestSharedSums: in an evidence folder read in place, the module takes a
// file's SHA-256 from the sums it shares with the scan's chain of custody
// (acquisition.SumFS) rather than reading the file again: an intact
// folder verifies, and a sum the scan already took is the one compared.
func TestSharedSums(t *testing.T) {
	dir := t.TempDir()
	for p, b := range qf("x") {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, preset := range []bool{false, true} {
		d, err := acquisition.OpenDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		const taken = "0000000000000000000000000000000000000000000000000000000000000000"
		if preset { // as the scan's hashing leaves a large file's sum
			d.Sums().Do("getprop.txt", func() (acquisition.Sum, error) { return acquisition.Sum{Size: 1 << 30, SHA256: taken}, nil })
		}
		res, err := modtest.RunAcq(t, hashes.New(), &acquisition.Acquisition{Path: dir, Kind: acquisition.AndroidQF, FS: d}, modtest.Index(t))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case !preset && (len(res.Alerts) != 0 || len(res.Errors) != 0):
			t.Errorf("intact folder: alerts %+v errors %+v", res.Alerts, res.Errors)
		case preset && (len(res.Alerts) != 1 || !modtest.HasAlert(res, model.High, false, "getprop.txt does not match") ||
			!strings.Contains(res.Alerts[0].Message, taken)):
			t.Errorf("the shared sum was not the one compared: alerts %+v", res.Alerts)
		}
	}
}
