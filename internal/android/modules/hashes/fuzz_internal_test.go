package hashes

import (
	"strings"
	"testing"
	"testing/fstest"
)

// FuzzReadList: any hashes.csv (up to 1 MiB) is read or refused without
// panicking, and the storage prefix found is a prefix of a listed path's
// normalised form (or empty).
func FuzzReadList(f *testing.F) {
	f.Add([]byte("/sdcard/aqf/files.json,abc\n/sdcard/aqf/hashes.csv,def\n"))
	f.Add([]byte("a,b\n\"q\"\"x\",c\nonly-one-field\n"))
	f.Add([]byte("/x/y,1\n/x/z,2\n/w,3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		lines, _ := readList(fstest.MapFS{File: {Data: data}})
		if len(lines) > maxLines {
			t.Fatalf("%d lines", len(lines))
		}
		p := storagePrefix(lines)
		if p == "" {
			return
		}
		for _, l := range lines {
			if strings.HasPrefix(norm(l.raw), p) {
				return
			}
		}
		t.Fatalf("prefix %q of no line", p)
	})
}
