package acquisition

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"math/rand/v2"
	"sync"
	"testing"
	"testing/fstest"
)

// complete finishes d as the scan core does: the rest of the file from the
// first byte d lacks.
func complete(d *Digest, data []byte) (int64, string) {
	n, h := d.Take()
	h.Write(data[n:])
	return n, hex.EncodeToString(h.Sum(nil))
}

func TestDigestIsTheWholeFilesWhateverWasRead(t *testing.T) {
	data := make([]byte, 300_001)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	fsys := fstest.MapFS{"f": {Data: data}}
	open := func(t *testing.T, d *Digest) fs.File {
		f, err := fsys.Open("f")
		if err != nil {
			t.Fatal(err)
		}
		return d.File(f)
	}
	readN := func(f fs.File, n int, buf int) {
		if _, err := io.CopyBuffer(io.Discard, struct{ io.Reader }{io.LimitReader(f, int64(n))}, make([]byte, buf)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		read   func(t *testing.T, d *Digest)
		hashed int64 // bytes hashed by the reads (the rest by complete)
	}{
		{"nothing read", func(*testing.T, *Digest) {}, 0},
		{"all, 64 KiB reads", func(t *testing.T, d *Digest) { readN(open(t, d), len(data), 64<<10) }, int64(len(data))},
		{"all, 1-byte reads", func(t *testing.T, d *Digest) { readN(open(t, d), len(data), 1) }, int64(len(data))},
		{"first half", func(t *testing.T, d *Digest) { readN(open(t, d), len(data)/2, 4096) }, int64(len(data) / 2)},
		{"read twice", func(t *testing.T, d *Digest) {
			readN(open(t, d), 1000, 7)
			readN(open(t, d), len(data), 4096) // again from the start, then past
		}, int64(len(data))},
		{"two readers interleaved", func(t *testing.T, d *Digest) {
			a, b := open(t, d), open(t, d)
			readN(a, 5000, 333)
			readN(b, 2000, 100)  // behind: nothing new
			readN(b, 10000, 999) // overtakes a
			readN(a, 100, 10)    // behind again
		}, 12000},
		{"concurrent readers", func(t *testing.T, d *Digest) {
			var wg sync.WaitGroup
			for i := range 4 {
				f := open(t, d)
				wg.Go(func() { readN(f, len(data), 1000+i*517) })
			}
			wg.Wait()
		}, int64(len(data))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDigest()
			tc.read(t, d)
			n, got := complete(d, data)
			if n != tc.hashed {
				t.Errorf("hashed in the reads: %d bytes, want %d", n, tc.hashed)
			}
			if got != want {
				t.Errorf("digest %s, want %s", got, want)
			}
		})
	}
}

func TestDigestIgnoresReadsAfterTake(t *testing.T) {
	data := bytes.Repeat([]byte("spyscan"), 1000)
	fsys := fstest.MapFS{"f": {Data: data}}
	d := NewDigest()
	f, _ := fsys.Open("f")
	df := d.File(f)
	io.CopyN(io.Discard, df, 100)
	n, h := d.Take()
	io.Copy(io.Discard, df) // a module left behind by an interruption
	if n != 100 {
		t.Fatalf("hashed %d, want 100", n)
	}
	h.Write(data[n:])
	if got, want := hex.EncodeToString(h.Sum(nil)), sha256.Sum256(data); got != hex.EncodeToString(want[:]) {
		t.Errorf("a read after Take changed the digest")
	}
}
