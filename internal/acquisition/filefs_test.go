package acquisition

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

// TestFileFS holds FileFS to the fs.FS contract (testing/fstest), under a
// name other than the host file's.
func TestFileFS(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bugreport.txt")
	if err := os.WriteFile(p, []byte("== dumpstate: 2024-05-20 14:03:11\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(FileFS{Name: "dumpstate.txt", Path: p}, "dumpstate.txt"); err != nil {
		t.Fatal(err)
	}
}

// TestStreamFS holds StreamFS to the fs.FS contract, with and without a
// digest, and checks that reading its file through the FS hashes it.
func TestStreamFS(t *testing.T) {
	data := []byte("\xd4\xc3\xb2\xa1 a capture's bytes")
	p := filepath.Join(t.TempDir(), "capture.pcap")
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	plain := StreamFS{FileFS: FileFS{Name: "capture.pcap", Path: p}}
	if err := fstest.TestFS(plain, "capture.pcap"); err != nil {
		t.Fatal(err)
	}
	d := NewDigest()
	hashed := plain.WithDigest(d)
	if err := fstest.TestFS(hashed, "capture.pcap"); err != nil {
		t.Fatal(err)
	}
	f, err := hashed.Open("capture.pcap")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		t.Fatal(err)
	}
	n, h := d.Take()
	want := sha256.Sum256(data)
	if n != int64(len(data)) || hex.EncodeToString(h.Sum(nil)) != hex.EncodeToString(want[:]) {
		t.Fatalf("digest of %d bytes %x, want %d bytes %x", n, h.Sum(nil), len(data), want)
	}
}
