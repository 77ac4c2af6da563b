package hashes

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
)

// TestLineLimit checks maxLines (lowered for the test) at the limit and one
// line past it, with the message the user sees.
func TestLineLimit(t *testing.T) {
	saved := maxLines
	maxLines = 10
	t.Cleanup(func() { maxLines = saved })
	tests := []struct {
		name    string
		lines   int
		wantErr string
	}{
		{"at the limit", 10, ""},
		{"one line past", 11, "hashes.csv: more than 10 lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			for i := range tt.lines {
				fmt.Fprintf(&b, "/sdcard/f%d,%064x\n", i, i)
			}
			fsys := fstest.MapFS{File: {Data: []byte(b.String())}}
			got, err := readList(fsys)
			if tt.wantErr == "" {
				if err != nil || len(got) != tt.lines {
					t.Fatalf("err %v, %d lines", err, len(got))
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr || len(got) != maxLines {
				t.Fatalf("err %v, %d lines; want %q after %d lines", err, len(got), tt.wantErr, maxLines)
			}
		})
	}
}
