package scan

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
)

// zipFolders writes evidence.zip holding the given files and folders of
// the demo, under the names given (a folder's files under its name), plus
// extra entries written as they are.
func zipFolders(t *testing.T, members map[string]string, extra map[string]string) string {
	return archiveFolders(t, "evidence.zip", members, extra)
}

// archiveFolders is zipFolders for a zip, .tar or .tar.gz named name.
func archiveFolders(t *testing.T, name string, members map[string]string, extra map[string]string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	var add func(name string, b []byte)
	var closeAll func() error
	switch {
	case strings.HasSuffix(name, ".zip"):
		zw := zip.NewWriter(f)
		add = func(name string, b []byte) {
			w, err := zw.Create(name)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(b)
		}
		closeAll = zw.Close
	default:
		var gz *gzip.Writer
		tw := tar.NewWriter(f)
		if strings.HasSuffix(name, ".gz") {
			gz = gzip.NewWriter(f)
			tw = tar.NewWriter(gz)
		}
		add = func(name string, b []byte) {
			if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
				t.Fatal(err)
			}
			tw.Write(b)
		}
		closeAll = func() error {
			if err := tw.Close(); err != nil || gz == nil {
				return err
			}
			return gz.Close()
		}
	}
	for name, src := range members {
		st, err := os.Stat(src)
		if err != nil {
			t.Fatal(err)
		}
		if !st.IsDir() {
			b, _ := os.ReadFile(src)
			add(name, b)
			continue
		}
		fs.WalkDir(os.DirFS(src), ".", func(rel string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				b, _ := os.ReadFile(filepath.Join(src, rel))
				add(name+"/"+rel, b)
			}
			return err
		})
	}
	for name, body := range extra {
		add(name, []byte(body))
	}
	if err := closeAll(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return p
}

// TestScanZipOfAcquisitions: a zip no opener recognises is unpacked into
// the scan's temp folder and what it holds is scanned, named after the zip
// (never the temp folder), with the zip itself hashed as an input; one
// holding no acquisition stays an unrecognised input, described.
func TestScanZipOfAcquisitions(t *testing.T) {
	demo := filepath.Join("..", "..", "demo")
	tests := []struct {
		name    string
		members map[string]string
		extra   map[string]string
		want    []string // path and kind of every input
	}{
		{"a zipped iOS backup folder", map[string]string{"Backup": filepath.Join(demo, "ios-backup")}, nil,
			[]string{"evidence.zip archive", "evidence.zip ios-backup"}},
		{"a capture and Zeek logs", map[string]string{"capture.pcapng": filepath.Join(demo, "capture.pcapng"), "zeek": filepath.Join(demo, "zeek")}, nil,
			[]string{"evidence.zip archive", "evidence.zip/capture.pcapng pcap", "evidence.zip/zeek network-log"}},
		// Finder's zip: an androidqf, whose intrusion logs and dumpsys.txt
		// made the whole zip an intrusion-log or bugreport input before
		{"an androidqf and a capture zipped by Finder", map[string]string{"androidqf": filepath.Join(demo, "androidqf"), "capture.pcapng": filepath.Join(demo, "capture.pcapng")},
			map[string]string{"__MACOSX/androidqf/._packages.json": "apple", "androidqf/._getprop.txt": "apple"},
			[]string{"evidence.zip archive", "evidence.zip/androidqf androidqf", "evidence.zip/capture.pcapng pcap"}},
		{"no acquisition", map[string]string{"README.md": filepath.Join(demo, "README.md")}, nil,
			[]string{"evidence.zip "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			zp := zipFolders(t, tt.members, tt.extra)
			cfg := testConfig([]string{zp}, "")
			cfg.Openers, cfg.Modules = nil, nil // the real ones
			res, err := runScan(t, cfg)
			if len(tt.want) == 1 {
				if err == nil || !strings.Contains(err.Error(), "none of them is an acquisition") {
					t.Fatalf("err %v, want unrecognised and described", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, in := range res.Report.Info.Inputs {
				got = append(got, strings.TrimPrefix(in.Path, filepath.Dir(zp)+string(filepath.Separator))+" "+in.Kind)
				if strings.Contains(in.Path, os.TempDir()) && !strings.HasPrefix(in.Path, filepath.Dir(zp)) || len(in.Problems) > 0 || in.FileCount() == 0 {
					t.Errorf("input %s: problems %v, %d files", in.Path, in.Problems, in.FileCount())
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("inputs %q, want %q", got, tt.want)
			}
			for _, m := range res.Report.Modules {
				if strings.Contains(m.Input, "archive-") {
					t.Errorf("module %s names the temp folder: %s", m.Module, m.Input)
				}
			}
			if res.Report.Verdict != model.VerdictDetected { // the demo's planted traces
				t.Errorf("verdict %s", res.Report.Verdict)
			}
		})
	}
}

// An encrypted backup in a zip asks for its password, and fails without
// one, by the zip's name, never the temp folder's.
func TestScanZipNeedsPassword(t *testing.T) {
	zp := zipFolders(t, map[string]string{"enc": filepath.Join("..", "..", "demo", "ios-backup-encrypted")}, nil)
	cfg := testConfig([]string{zp}, "")
	cfg.Openers, cfg.Modules = nil, nil
	var asked []string
	cfg.Options.Password = func(ctx context.Context, p string) (string, error) {
		asked = append(asked, p)
		return "", fmt.Errorf("%w: %s is encrypted", acquisition.ErrNeedPassword, p) // as the CLI's prompt says
	}
	_, err := runScan(t, cfg)
	if !errors.Is(err, acquisition.ErrNeedPassword) || !strings.Contains(err.Error(), zp+"/enc") || strings.Contains(err.Error(), "archive-") {
		t.Errorf("err %v", err)
	}
	if len(asked) != 1 || asked[0] != zp+"/enc" {
		t.Errorf("asked for %q", asked)
	}
}

// A tar or tar.gz of acquisitions (what tar czf makes) is unpacked as a
// zip is.
func TestScanTarOfAcquisitions(t *testing.T) {
	demo := filepath.Join("..", "..", "demo")
	for _, name := range []string{"evidence.tar", "evidence.tar.gz"} {
		t.Run(name, func(t *testing.T) {
			p := archiveFolders(t, name, map[string]string{"capture.pcapng": filepath.Join(demo, "capture.pcapng"), "androidqf": filepath.Join(demo, "androidqf")}, nil)
			cfg := testConfig([]string{p}, "")
			cfg.Openers, cfg.Modules = nil, nil
			res, err := runScan(t, cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, in := range res.Report.Info.Inputs {
				got = append(got, filepath.Base(in.Path)+" "+in.Kind)
			}
			want := []string{name + " " + string(acquisition.Archive), "androidqf androidqf", "capture.pcapng pcap"}
			if !slices.Equal(got, want) {
				t.Errorf("inputs %q, want %q", got, want)
			}
		})
	}
}
