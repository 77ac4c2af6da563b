package androidgen

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestDeterministic(t *testing.T) {
	files := BackupContents()
	for _, o := range []BackupOptions{{}, {Compressed: true}, {Compressed: true, Password: DemoPassword, Rounds: 5, Seed: "s"}} {
		if !bytes.Equal(Backup(files, o), Backup(files, o)) {
			t.Errorf("%+v: two runs differ", o)
		}
	}
	if !bytes.Equal(ZipBytes(files, false), ZipBytes(files, false)) || !bytes.Equal(TarBytes(files), TarBytes(files)) {
		t.Error("zip or tar differs between runs")
	}
	if !bytes.Equal(APK("a", "v2"), APK("a", "v2")) {
		t.Error("APK differs between runs")
	}
}

func TestHashesCSV(t *testing.T) {
	rows, err := csv.NewReader(bytes.NewReader(HashesCSV("/x/uuid", []File{{Path: "b.txt", Data: []byte("b")}, {Path: "acquisition.json"}}))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// acquisition.json is written after hashing; hashes.csv lists itself hashed empty.
	if len(rows) != 2 || rows[0][0] != "/x/uuid/b.txt" || rows[1][0] != "/x/uuid/hashes.csv" ||
		rows[1][1] != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("%q", rows)
	}
}
