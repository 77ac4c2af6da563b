package safearchive

import (
	"archive/zip"
	"bytes"
	"io"
	"io/fs"
	"testing"
)

// FuzzZip opens arbitrary bytes as a zip with small limits and reads every
// entry: no panic; an archive that is accepted has only names that stay
// inside it, and no entry reads past the limits (inputs up to 1 MiB).
func FuzzZip(f *testing.F) {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, n := range []string{"a.txt", "dir/b.txt", "../c.txt"} {
		w, _ := zw.Create(n)
		w.Write([]byte("hello " + n))
	}
	zw.Close()
	f.Add(b.Bytes())
	f.Add([]byte("PK\x05\x06" + string(make([]byte, 18))))
	lim := Limits{MaxEntry: 1 << 20, MaxTotal: 4 << 20, MaxEntries: 1000, MaxRatio: 100}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		z, err := New(bytes.NewReader(data), int64(len(data)), "fuzz.zip", lim)
		if err != nil {
			return
		}
		defer z.Close()
		var total int64
		for _, e := range z.File {
			name := e.Name
			if n := len(name); n > 0 && name[n-1] == '/' {
				name = name[:n-1]
			}
			if !fs.ValidPath(name) {
				t.Fatalf("accepted an entry named %q", e.Name)
			}
			fh, err := z.Open(name)
			if err != nil {
				continue
			}
			n, _ := io.Copy(io.Discard, io.LimitReader(fh, int64(lim.MaxEntry)+1))
			fh.Close()
			if uint64(n) > lim.MaxEntry {
				t.Fatalf("%q read past MaxEntry", e.Name)
			}
			total += n
		}
		if uint64(total) > lim.MaxTotal {
			t.Fatalf("read %d bytes, past MaxTotal", total)
		}
	})
}
