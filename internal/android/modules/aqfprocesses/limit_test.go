package aqfprocesses

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestSizeLimit checks MaxSize (lowered for the test) at the limit and one
// byte past it, with the message the user sees.
func TestSizeLimit(t *testing.T) {
	saved := MaxSize
	MaxSize = 256
	t.Cleanup(func() { MaxSize = saved })
	const listing = `[{"pid":42,"ppid":1,"name":"com.example"}]`
	tests := []struct {
		name    string
		size    int
		wantErr string
	}{
		{"at the limit", 256, ""},
		{"one byte past", 257, "processes.json: larger than 256 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := listing + strings.Repeat(" ", tt.size-len(listing))
			fsys := fstest.MapFS{"processes.json": {Data: []byte(data)}}
			ps, err := read(fsys, "processes.json")
			if tt.wantErr == "" {
				if err != nil || len(ps) != 1 || ps[0].PID != 42 {
					t.Fatalf("err %v, %+v", err, ps)
				}
				return
			}
			if err == nil || err.Error() != tt.wantErr || ps != nil {
				t.Fatalf("err %v, %+v; want %q", err, ps, tt.wantErr)
			}
		})
	}
}
