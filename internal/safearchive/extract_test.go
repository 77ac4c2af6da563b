package safearchive

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestExtractTo: folders and regular files are written with their times;
// macOS metadata and links are skipped and listed; a full disk and a
// cancelled scan stop it.
func TestExtractTo(t *testing.T) {
	mtime := time.Date(2024, 5, 20, 14, 3, 11, 0, time.UTC)
	data := zipOf(t, func(zw *zip.Writer) {
		for _, e := range []struct{ name, body string }{
			{"backup/Manifest.db", "sqlite"}, {"backup/0d/0d60", "sms"}, {"capture.pcapng", "pcap"},
			{"__MACOSX/backup/._Manifest.db", "apple"}, {"backup/._0d60", "apple"},
		} {
			w, err := zw.CreateHeader(&zip.FileHeader{Name: e.name, Method: zip.Deflate, Modified: mtime})
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte(e.body))
		}
		h := &zip.FileHeader{Name: "backup/link", Method: zip.Store}
		h.SetMode(fs.ModeSymlink | 0o777)
		w, _ := zw.CreateHeader(h)
		w.Write([]byte("Manifest.db"))
	})
	open := func(t *testing.T) *FS {
		z, err := New(bytes.NewReader(data), int64(len(data)), "evidence.zip", DefaultLimits)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}

	dir := t.TempDir()
	skipped, err := open(t).ExtractTo(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range skipped {
		names = append(names, s.Name)
		if s.Metadata != (s.Name != "backup/link") {
			t.Errorf("%s: metadata %v", s.Name, s.Metadata)
		}
	}
	slices.Sort(names)
	if want := []string{"__MACOSX", "backup/._0d60", "backup/link"}; !slices.Equal(names, want) {
		t.Errorf("skipped %q, want %q", names, want)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			files = append(files, filepath.ToSlash(rel))
		}
		return err
	})
	if want := []string{"backup/0d/0d60", "backup/Manifest.db", "capture.pcapng"}; !slices.Equal(files, want) {
		t.Errorf("files %q, want %q", files, want)
	}
	b, err := os.ReadFile(filepath.Join(dir, "backup", "0d", "0d60"))
	st, _ := os.Stat(filepath.Join(dir, "backup", "0d", "0d60"))
	if err != nil || string(b) != "sms" || !st.ModTime().Equal(mtime) || st.Mode().Perm() != 0o600 {
		t.Errorf("backup/0d/0d60: %q %v %v %v", b, err, st.ModTime(), st.Mode())
	}

	t.Run("no room", func(t *testing.T) {
		freeSpace = func(string) (int64, bool) { return MinFree, true }
		defer func() { freeSpace = diskFree }()
		if _, err := open(t).ExtractTo(context.Background(), t.TempDir()); !errors.Is(err, ErrNoSpace) {
			t.Errorf("err %v, want ErrNoSpace", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := open(t).ExtractTo(ctx, t.TempDir()); !errors.Is(err, context.Canceled) {
			t.Errorf("err %v, want context.Canceled", err)
		}
	})
}

// A password-protected zip (entry flag bit 0) is named as such, not as a
// corrupt entry, whatever its entries hold.
func TestEncryptedZip(t *testing.T) {
	data := zipOf(t, func(zw *zip.Writer) {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: "androidqf/getprop.txt", Method: zip.Store, Flags: 0x1,
			CompressedSize64: 12, UncompressedSize64: 0})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(make([]byte, 12)) // the 12-byte ZipCrypto header
	})
	_, err := New(bytes.NewReader(data), int64(len(data)), "evidence.zip", DefaultLimits)
	if !errors.Is(err, ErrEncryptedZip) || !strings.Contains(err.Error(), "evidence.zip") {
		t.Errorf("err %v, want ErrEncryptedZip naming the zip", err)
	}
}
