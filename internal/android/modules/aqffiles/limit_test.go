package aqffiles

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestObjectLimit checks MaxObject at the limit and one byte past it: an
// entry of exactly MaxObject bytes is read; one byte more stops the file
// with the message the user sees.
func TestObjectLimit(t *testing.T) {
	entry := func(size int) string {
		const head, tail = `{"path":"/`, `","size":1}`
		return head + strings.Repeat("a", size-len(head)-len(tail)) + tail
	}
	tests := []struct {
		name    string
		size    int
		wantErr string
	}{
		{"at the limit", MaxObject, ""},
		{"one byte past", MaxObject + 1, "entry larger than 1048576 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := entry(tt.size)
			if len(e) != tt.size {
				t.Fatalf("entry is %d bytes, want %d", len(e), tt.size)
			}
			var got []File
			err := Decode(context.Background(), strings.NewReader("["+e+`,{"path":"/b"}]`), func(f File) { got = append(got, f) })
			if tt.wantErr == "" {
				if err != nil || len(got) != 2 || len(got[0].Path) != tt.size-len(`{"path":"","size":1}`) {
					t.Fatalf("err %v, %d files", err, len(got))
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr || !errors.Is(err, errTooLarge) || len(got) != 0 {
				t.Fatalf("err %v, %d files; want %q", err, len(got), tt.wantErr)
			}
		})
	}
}
