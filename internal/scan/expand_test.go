package scan

import (
	"archive/zip"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
)

// copyFile copies a file of the repository's demo into dir.
func copyFile(t *testing.T, src, dir string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, filepath.Base(src)), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestFolderOfInputs: a folder holding several acquisitions is scanned as
// those acquisitions, whatever one opener would recognise in it; a single
// acquisition, or a container of others, stays one input.
func TestFolderOfInputs(t *testing.T) {
	demo := filepath.Join("..", "..", "demo")
	logsAndCapture := t.TempDir()
	copyFile(t, filepath.Join(demo, "zeek", "dns.log"), logsAndCapture)
	copyFile(t, filepath.Join(demo, "zeek", "ssl.log"), logsAndCapture)
	copyFile(t, filepath.Join(demo, "capture.pcapng"), logsAndCapture)
	captureAndNote := t.TempDir()
	copyFile(t, filepath.Join(demo, "capture.pcapng"), captureAndNote)
	copyFile(t, filepath.Join(demo, "README.md"), captureAndNote)
	if err := os.WriteFile(filepath.Join(captureAndNote, ".DS_Store"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	noteOnly := t.TempDir()
	copyFile(t, filepath.Join(demo, "README.md"), noteOnly)
	bugreportAndCapture := unzipTo(t, filepath.Join(demo, "android-bugreport.zip"))
	copyFile(t, filepath.Join(demo, "capture.pcapng"), bugreportAndCapture)
	demoAndNotes := t.TempDir()
	copyFile(t, filepath.Join(demo, "capture.pcapng"), demoAndNotes)
	if err := os.CopyFS(filepath.Join(demoAndNotes, "androidqf"), os.DirFS(filepath.Join(demo, "androidqf"))); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(demoAndNotes, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name  string
		path  string
		split bool
		want  []string // base names of the inputs, when split
	}{
		// an androidqf subfolder made the demo folder a bugreport
		{"the demo folder", demo, true, []string{"README.md", "android-bugreport.zip", "androidqf", "backup.ab", "capture.pcapng", "ios-backup", "ios-backup-encrypted", "zeek"}},
		{"a folder of Zeek logs", filepath.Join(demo, "zeek"), false, nil},
		{"Zeek logs and a capture", logsAndCapture, true, []string{"capture.pcapng", "dns.log", "ssl.log"}},
		{"an androidqf holding a backup.ab", filepath.Join(demo, "androidqf"), false, nil},
		{"an iOS backup", filepath.Join(demo, "ios-backup"), false, nil},
		{"an unrecognised folder with one capture (hidden files left out)", captureAndNote, true, []string{"README.md", "capture.pcapng"}},
		{"a folder of no input", noteOnly, false, nil},
		// its FS/ is no input on its own: the folder stays one bugreport,
		// the capture beside its files is added
		{"an unzipped bugreport with a capture", bugreportAndCapture, true, []string{filepath.Base(bugreportAndCapture), "capture.pcapng"}},
		// recognised as a bugreport through androidqf/dumpsys.txt: split
		{"acquisitions and a notes folder", demoAndNotes, true, []string{"androidqf", "capture.pcapng", "notes"}},
		{"a file", filepath.Join(demo, "capture.pcapng"), false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, split := folderOfInputs(context.Background(), Openers(), tt.path)
			var names []string
			for _, p := range got {
				names = append(names, filepath.Base(p))
			}
			if split != tt.split || split && !slices.Equal(names, tt.want) {
				t.Errorf("split %v, inputs %q", split, names)
			}
		})
	}
	paths := expandFolders(context.Background(), Openers(), []string{filepath.Join(demo, "zeek"), logsAndCapture}, slog.New(slog.DiscardHandler))
	if len(paths) != 4 || paths[0] != filepath.Join(demo, "zeek") {
		t.Errorf("expanded %q", paths)
	}
}

// A folder of inputs is scanned as a case: each entry is an input of the
// report, an entry no opener recognises is listed with its error, and the
// verdict cannot be clean.
func TestScanFolderOfInputs(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, filepath.Join("..", "..", "demo", "capture.pcapng"), dir)
	copyFile(t, filepath.Join("..", "..", "demo", "zeek", "dns.log"), dir)
	copyFile(t, filepath.Join("..", "..", "demo", "README.md"), dir)
	cfg := testConfig([]string{dir}, "")
	cfg.Openers, cfg.Modules = nil, nil // the real ones
	res, err := runScan(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, in := range res.Report.Info.Inputs {
		kinds = append(kinds, filepath.Base(in.Path)+" "+in.Kind)
	}
	want := []string{"README.md ", "capture.pcapng " + string(acquisition.PCAP), "dns.log " + string(acquisition.NetworkLog)}
	if !slices.Equal(kinds, want) || res.Report.Info.Inputs[0].Error == "" {
		t.Errorf("inputs %q, first error %q", kinds, res.Report.Info.Inputs[0].Error)
	}
	if res.Report.Verdict == model.VerdictClean {
		t.Error("verdict clean with an input not read")
	}
}

// unzipTo unpacks a zip of the demo into a new temporary folder.
func unzipTo(t *testing.T, zipPath string) string {
	t.Helper()
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	dir := t.TempDir()
	if err := os.CopyFS(dir, zr); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Files beside an unpacked Android backup's apps/ (MVT's test artifacts
// keep backup.ab files there) are not part of it: those that are inputs
// of their own are scanned as such, the others listed as not read.
func TestScanBesideUnpackedBackup(t *testing.T) {
	dir := t.TempDir()
	app := filepath.Join(dir, "apps", "com.android.providers.telephony", "d_f")
	if err := os.MkdirAll(app, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "000000_sms_backup"), []byte("[]"), 0o644); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join("..", "..", "demo", "backup.ab"), dir)
	copyFile(t, filepath.Join("..", "..", "demo", "README.md"), dir)
	cfg := testConfig([]string{dir}, "")
	cfg.Openers, cfg.Modules = nil, nil // the real ones
	res, err := runScan(t, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, in := range res.Report.Info.Inputs {
		got = append(got, filepath.Base(in.Path)+" "+in.Kind)
		for _, pb := range in.Problems {
			got = append(got, "problem "+pb.Path)
		}
	}
	want := []string{filepath.Base(dir) + " " + string(acquisition.AndroidBackup), "problem README.md", "backup.ab " + string(acquisition.AndroidBackup)}
	if !slices.Equal(got, want) {
		t.Errorf("inputs and problems %q, want %q", got, want)
	}
	if res.Report.Verdict == model.VerdictClean {
		t.Error("verdict clean with a file not read")
	}
}

// TestSplitMessage: the note on a split folder fits the number of inputs
// ("1 inputs" was printed for a folder holding only a backup.ab).
func TestSplitMessage(t *testing.T) {
	for _, tc := range []struct {
		entries []string
		want    string
	}{
		{[]string{"/d/backup.ab"}, "/d is scanned as the one input it holds, backup.ab"},
		{[]string{"/d/a", "/d/b"}, "/d holds 2 inputs: each is scanned on its own"},
	} {
		if got := splitMessage("/d", tc.entries); got != tc.want {
			t.Errorf("splitMessage(%q) = %q, want %q", tc.entries, got, tc.want)
		}
	}
}
