package safearchive

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
)

func zipOf(t *testing.T, add func(zw *zip.Writer)) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	add(zw)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func stored(zw *zip.Writer, name string, data []byte) {
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store})
	w.Write(data)
}

func open(data []byte, lim Limits) error {
	_, err := New(bytes.NewReader(data), int64(len(data)), "x.zip", lim)
	return err
}

// TestZipLimits: each limit accepts an archive exactly at it and refuses
// one unit over it, naming the archive.
func TestZipLimits(t *testing.T) {
	three := zipOf(t, func(zw *zip.Writer) {
		for _, n := range []string{"a", "b", "c"} {
			stored(zw, n, []byte("12345"))
		}
	})
	cases := []struct {
		name     string
		at, over Limits
	}{
		{"entries", Limits{MaxEntries: 3}, Limits{MaxEntries: 2}},
		{"entry size", Limits{MaxEntry: 5}, Limits{MaxEntry: 4}},
		{"total size", Limits{MaxTotal: 15}, Limits{MaxTotal: 14}},
	}
	for _, c := range cases {
		if err := open(three, c.at); err != nil {
			t.Errorf("%s at the limit: %v", c.name, err)
		}
		if err := open(three, c.over); !errors.Is(err, acquisition.ErrUnsafeArchive) || !strings.Contains(err.Error(), "x.zip") {
			t.Errorf("%s over the limit: %v", c.name, err)
		}
	}
}

// TestZipRatio: entries declaring MaxRatio times the archive's size (past
// RatioFloor) are accepted; a few bytes more are refused as a bomb.
func TestZipRatio(t *testing.T) {
	junk := bytes.Repeat([]byte{0x5a}, 3<<20) // stands for deflated data
	build := func(declared uint64) []byte {
		return zipOf(t, func(zw *zip.Writer) {
			w, _ := zw.CreateRaw(&zip.FileHeader{Name: "big", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(nil),
				CompressedSize64: uint64(len(junk)), UncompressedSize64: declared})
			w.Write(junk)
		})
	}
	size := uint64(len(build(1)))
	lim := DefaultLimits
	if err := open(build(lim.MaxRatio*size), lim); err != nil {
		t.Errorf("ratio at the limit (%d bytes from %d): %v", lim.MaxRatio*size, size, err)
	}
	err := open(build(lim.MaxRatio*size+lim.MaxRatio), lim)
	if !errors.Is(err, acquisition.ErrUnsafeArchive) || !strings.Contains(err.Error(), "decompression bomb") {
		t.Errorf("ratio over the limit: %v", err)
	}
}

// TestMeterStream: a gzip stream of zeros is cut once it passes the ratio
// (past RatioFloor), not inflated to its end; MaxTotal cuts at its value.
// The 320 MiB of zeros are compressed at BestSpeed (824:1, far past the
// ratio): the default level took 0.7 CPU-s more of each go test ./...
func TestMeterStream(t *testing.T) {
	var z bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&z, gzip.BestSpeed)
	zero := make([]byte, 1<<20)
	for range 320 {
		zw.Write(zero)
	}
	zw.Close()
	r, err := Gunzip(bytes.NewReader(z.Bytes()), "logs.gz")
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r)
	if !errors.Is(err, acquisition.ErrUnsafeArchive) || !strings.Contains(err.Error(), "logs.gz") {
		t.Errorf("bomb stream: %v after %d bytes", err, n)
	}
	if n > RatioFloor+(1<<20) {
		t.Errorf("inflated %d bytes before refusing", n)
	}
	for _, c := range []struct {
		total uint64
		ok    bool
	}{{5 << 20, true}, {5<<20 - 1, false}} {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(make([]byte, 5<<20))
		zw.Close()
		m := NewMeter(context.Background(), "x.gz", Limits{MaxTotal: c.total})
		zr, _ := gzip.NewReader(m.Source(&z))
		_, err := io.Copy(io.Discard, m.Reader(zr))
		if (err == nil) != c.ok {
			t.Errorf("MaxTotal %d on 5 MiB: %v", c.total, err)
		}
	}
}

func TestRatioArithmetic(t *testing.T) {
	l := Limits{MaxRatio: 100}
	if err := l.checkRatio("a", 100*(RatioFloor/10), RatioFloor/10); err != nil {
		t.Errorf("at the ratio: %v", err)
	}
	if err := l.checkRatio("a", 100*(RatioFloor/10)+100, RatioFloor/10); err == nil {
		t.Error("over the ratio accepted")
	}
	if err := l.checkRatio("a", RatioFloor, 1); err != nil {
		t.Errorf("at the floor: %v", err)
	}
}

// TestInflateFreeSpace: the disk must keep MinFree after the expected
// size; one byte less is refused naming the archive and the folder.
func TestInflateFreeSpace(t *testing.T) {
	dir := t.TempDir()
	const expect = 1 << 20
	for _, c := range []struct {
		free int64
		ok   bool
	}{{expect + MinFree, true}, {expect + MinFree - 1, false}} {
		freeSpace = func(string) (int64, bool) { return c.free, true }
		f, err := os.CreateTemp(dir, "x")
		if err != nil {
			t.Fatal(err)
		}
		_, err = InflateTo(context.Background(), f, bytes.NewReader(make([]byte, expect)), "dump.tar.gz", expect)
		f.Close()
		if c.ok != (err == nil) || !c.ok && (!errors.Is(err, ErrNoSpace) || !strings.Contains(err.Error(), "dump.tar.gz") || !strings.Contains(err.Error(), dir)) {
			t.Errorf("free %d: %v", c.free, err)
		}
	}
	freeSpace = diskFree
	if free, ok := diskFree(dir); !ok || free <= 0 {
		t.Errorf("diskFree(%s) = %d, %v", dir, free, ok)
	}
}

// TestSpecialEntries: device and FIFO entries are listed but never read;
// names with NUL, .. or an absolute path, and links out, refuse the
// archive.
func TestSpecialEntries(t *testing.T) {
	data := zipOf(t, func(zw *zip.Writer) {
		stored(zw, "ok.txt", []byte("x"))
		h := &zip.FileHeader{Name: "fifo", Method: zip.Store}
		h.SetMode(fs.ModeNamedPipe | 0o644)
		w, _ := zw.CreateHeader(h)
		w.Write([]byte("not to be read"))
	})
	z, err := New(bytes.NewReader(data), int64(len(data)), "x.zip", DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.ReadFile(z, "fifo"); !errors.Is(err, acquisition.ErrSpecialFile) {
		t.Errorf("fifo entry: %v", err)
	}
	if ents, _ := fs.ReadDir(z, "."); len(ents) != 2 {
		t.Errorf("listing: %v", ents)
	}
	if b, err := fs.ReadFile(z, "ok.txt"); err != nil || string(b) != "x" {
		t.Errorf("ok.txt: %q %v", b, err)
	}
	for _, bad := range []string{"a\x00b", "../x", "/etc/x", `c:\x`} {
		d := zipOf(t, func(zw *zip.Writer) { stored(zw, bad, []byte("x")) })
		if err := open(d, DefaultLimits); !errors.Is(err, acquisition.ErrUnsafeArchive) {
			t.Errorf("entry %q: %v", bad, err)
		}
	}
	for target, ok := range map[string]bool{"b/c": true, "../x": true, "/etc/passwd": false, "../../x": false} {
		d := zipOf(t, func(zw *zip.Writer) {
			h := &zip.FileHeader{Name: "a/link", Method: zip.Store}
			h.SetMode(fs.ModeSymlink | 0o777)
			w, _ := zw.CreateHeader(h)
			w.Write([]byte(target))
		})
		if err := open(d, DefaultLimits); (err == nil) != ok {
			t.Errorf("link to %q: %v", target, err)
		}
	}

}

// TestLinkTargetLimit: a link target of MaxLink bytes is read, one more
// byte refuses the archive, naming the link (a target cut short could name
// another entry).
func TestLinkTargetLimit(t *testing.T) {
	for _, n := range []int{MaxLink, MaxLink + 1} {
		target := strings.Repeat("./", (n-1)/2) + strings.Repeat("b", n-(n-1)/2*2)
		if len(target) != n {
			t.Fatalf("target of %d bytes, want %d", len(target), n)
		}
		d := zipOf(t, func(zw *zip.Writer) {
			h := &zip.FileHeader{Name: "a/link", Method: zip.Store}
			h.SetMode(fs.ModeSymlink | 0o777)
			w, _ := zw.CreateHeader(h)
			w.Write([]byte(target))
		})
		err := open(d, DefaultLimits)
		if n == MaxLink && err != nil {
			t.Errorf("target of %d bytes: %v", n, err)
		}
		if n > MaxLink && (!errors.Is(err, acquisition.ErrUnsafeArchive) || !strings.Contains(err.Error(), `"a/link": target longer than 4096 bytes`)) {
			t.Errorf("target of %d bytes: %v, want the link refused as too long", n, err)
		}
	}
}
