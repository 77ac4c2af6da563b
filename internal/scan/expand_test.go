package scan

import (
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
