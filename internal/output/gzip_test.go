package output

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/cputime"
)

// timelineText is n lines shaped like timeline.jsonl's.
func timelineText(n int) []byte {
	var b bytes.Buffer
	t0 := time.Date(2021, 6, 14, 9, 30, 0, 0, time.UTC)
	for i := range n {
		fmt.Fprintf(&b, `{"timestamp":"%s","module":"sms","event":"sms_received","description":"SMS received from +3361234%04d: see https://example%d.com/p?id=%d","artifact":"HomeDomain/Library/SMS/sms.db"}`+"\n",
			t0.Add(time.Duration(i*7919)*time.Second).Format(time.RFC3339), i%10000, i%97, i)
	}
	return b.Bytes()
}

// The compressed results are the same bytes whatever the sizes of the
// writes (two runs give the same files), and the standard library's reader
// reads them back.
func TestGzipFileSameBytes(t *testing.T) {
	text := timelineText(20_000)
	dir := t.TempDir()
	write := func(name string, chunk int) []byte {
		p := filepath.Join(dir, name)
		g, err := createGzip(p)
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off < len(text); off += chunk {
			if _, err := g.Write(text[off:min(off+chunk, len(text))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := g.close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	a, b := write("a.gz", 1), write("b.gz", 100_000)
	if !bytes.Equal(a, b) {
		t.Fatalf("the same text written in other pieces gave other bytes (%d, %d)", len(a), len(b))
	}
	z, err := gzip.NewReader(bytes.NewReader(a))
	if err != nil {
		t.Fatal(err)
	}
	back, err := io.ReadAll(z)
	if err != nil || !bytes.Equal(back, text) {
		t.Fatalf("read back %d bytes of %d: %v", len(back), len(text), err)
	}
	if len(a) > len(text)/5 {
		t.Errorf("compressed to %d of %d bytes", len(a), len(text))
	}
}

// BenchmarkGzipTimeline: 20 MB of timeline lines compressed into a
// result file; MB/cpu-s is the throughput per CPU-second.
func BenchmarkGzipTimeline(b *testing.B) {
	text := timelineText(100_000)
	dir := b.TempDir()
	b.SetBytes(int64(len(text)))
	cpu := cputime.Process()
	for b.Loop() {
		g, err := createGzip(filepath.Join(dir, "timeline.jsonl.gz"))
		if err != nil {
			b.Fatal(err)
		}
		for off := 0; off < len(text); off += 4096 {
			g.Write(text[off:min(off+4096, len(text))])
		}
		if err := g.close(); err != nil {
			b.Fatal(err)
		}
	}
	if d := cputime.Process() - cpu; d > 0 {
		b.ReportMetric(float64(len(text))*float64(b.N)/d.Seconds()/1e6, "MB/cpu-s")
	}
}
