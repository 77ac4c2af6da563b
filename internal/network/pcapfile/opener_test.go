package pcapfile_test

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
)

func TestOpener(t *testing.T) {
	dir := t.TempDir()
	pcap := pcapBytes(t, false, make([]byte, 60))
	files := map[string][]byte{
		"a.pcap":    pcap,
		"b.pcap.gz": gz(pcap),
		"c.pcapng":  mustRead(t, "../testdata/public/ndpi-tls_malicious_sha1.pcapng"),
		"d.txt":     []byte("not a capture"),
		"e.gz":      gz([]byte("gzip of text")),
		"secret":    []byte("sibling that must stay invisible"),
	}
	for n, b := range files {
		os.WriteFile(filepath.Join(dir, n), b, 0o644)
	}
	op := pcapfile.Opener{}
	for n, want := range map[string]bool{"a.pcap": true, "b.pcap.gz": true, "c.pcapng": true, "d.txt": false, "e.gz": false} {
		kind, ok := op.Detect(context.Background(), filepath.Join(dir, n))
		if ok != want || (ok && kind != acquisition.PCAP) {
			t.Errorf("Detect(%s) = %v %v, want %v", n, kind, ok, want)
		}
	}
	if _, ok := op.Detect(context.Background(), dir); ok {
		t.Error("a folder detected as a capture")
	}
	acq, err := op.Open(context.Background(), filepath.Join(dir, "b.pcap.gz"), acquisition.PCAP, acquisition.Options{})
	if err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(acq.FS, ".")
	if err != nil || len(entries) != 1 || entries[0].Name() != "b.pcap.gz" {
		t.Fatalf("FS lists %v, %v", entries, err)
	}
	if _, err := acq.FS.Open("secret"); err == nil {
		t.Error("sibling file visible through the acquisition FS")
	}
	f, err := acq.FS.Open("b.pcap.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := pcapfile.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var p pcapfile.Packet
	if err := r.Next(&p); err != nil || len(p.Data) != 60 {
		t.Fatalf("read through FS: %v", err)
	}
	if err := r.Next(&p); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
}

func mustRead(t *testing.T, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
