package testgen_test

import (
	"bytes"
	"encoding/csv"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

func TestAndroidGenDeterministic(t *testing.T) {
	files := androidgen.BackupContents()
	for _, o := range []androidgen.BackupOptions{{}, {Compressed: true}, {Compressed: true, Password: androidgen.DemoPassword, Rounds: 5, Seed: "s"}} {
		if !bytes.Equal(androidgen.Backup(files, o), androidgen.Backup(files, o)) {
			t.Errorf("%+v: two runs differ", o)
		}
	}
	if !bytes.Equal(androidgen.ZipBytes(files, false), androidgen.ZipBytes(files, false)) || !bytes.Equal(androidgen.TarBytes(files), androidgen.TarBytes(files)) {
		t.Error("zip or tar differs between runs")
	}
	if !bytes.Equal(androidgen.APK("a", "v2"), androidgen.APK("a", "v2")) {
		t.Error("APK differs between runs")
	}
}

func TestAndroidGenHashesCSV(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(androidgen.HashesCSV("/x/uuid", []androidgen.File{{Path: "b.txt", Data: []byte("b")}, {Path: "acquisition.json"}}))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// acquisition.json is written after hashing; hashes.csv lists itself hashed empty.
	if len(rows) != 2 || rows[0][0] != "/x/uuid/b.txt" || rows[1][0] != "/x/uuid/hashes.csv" ||
		rows[1][1] != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("%q", rows)
	}
}
