package backup

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// TestIndexFile: an index file reads back what was written, from memory
// until it passes memIndexFile, from its file (made in the index's folder,
// made then) after; close and remove leave nothing. Room reserved in
// memory is written into without a new allocation; a reservation larger
// than memIndexFile changes nothing.
func TestIndexFile(t *testing.T) {
	defer func(n int) { memIndexFile = n }(memIndexFile)
	memIndexFile = 100
	tests := []struct {
		name    string
		reserve int
		writes  []int // sizes of the writes
		onDisk  bool
	}{
		{"empty", 0, nil, false},
		{"small", 0, []int{10, 20, 70}, false},
		{"passes the limit", 0, []int{60, 30, 11, 50}, true},
		{"one large write", 0, []int{250}, true},
		{"reserved", 100, []int{10, 20, 70}, false},
		{"reserved, then passes the limit", 60, []int{60, 30, 11}, true},
		{"reservation larger than memory", 250, []int{250}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmp := t.TempDir()
			dir := &indexDir{parent: tmp}
			f := &indexFile{name: "recs", dir: dir}
			f.reserve(tt.reserve)
			if tt.reserve > memIndexFile && cap(f.mem) != 0 {
				t.Errorf("reserve(%d) beyond memory: cap %d", tt.reserve, cap(f.mem))
			}
			mem := f.mem
			var want []byte
			for i, n := range tt.writes {
				p := bytes.Repeat([]byte{byte('a' + i)}, n)
				if k, err := f.Write(p); err != nil || k != n {
					t.Fatalf("Write: %d, %v", k, err)
				}
				want = append(want, p...)
			}
			if f.inMemory() == tt.onDisk {
				t.Errorf("in memory: %v, want %v", f.inMemory(), !tt.onDisk)
			}
			if tt.reserve > 0 && !tt.onDisk && (cap(f.mem) < tt.reserve || &f.mem[:1][0] != &mem[:1][0]) {
				t.Errorf("reserved %d: writes reallocated (cap %d)", tt.reserve, cap(f.mem))
			}
			if ents, _ := os.ReadDir(tmp); len(ents) != map[bool]int{false: 0, true: 1}[tt.onDisk] {
				t.Errorf("temporary folder holds %d entries", len(ents))
			}
			got, err := io.ReadAll(io.NewSectionReader(f, 0, 1<<20))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("read back %q, %v; want %q", got, err, want)
			}
			for off := range len(want) {
				b := make([]byte, min(7, len(want)-off))
				if n, err := f.ReadAt(b, int64(off)); n != len(b) || (err != nil && err != io.EOF) || !bytes.Equal(b, want[off:off+len(b)]) {
					t.Fatalf("ReadAt %d: %q, %v", off, b[:n], err)
				}
			}
			if n, err := f.ReadAt(make([]byte, 1), int64(len(want))); n != 0 || err != io.EOF {
				t.Errorf("ReadAt the end: %d, %v; want io.EOF", n, err)
			}
			if err := f.close(); err != nil {
				t.Fatal(err)
			}
			if err := dir.remove(); err != nil {
				t.Fatal(err)
			}
			if ents, _ := os.ReadDir(tmp); len(ents) != 0 {
				t.Errorf("left %d entries", len(ents))
			}
		})
	}
}
