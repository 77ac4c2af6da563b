package indicators

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileSizeLimits checks MaxFile (any indicator file) and MaxEchapFile
// (Echap's lists), both lowered for the test, at the limit and one byte
// past it: at the limit the file's indicators are loaded; past it the file
// is listed as unread (which makes the scan inconclusive) with the message
// the user sees.
func TestFileSizeLimits(t *testing.T) {
	savedFile, savedEchap := MaxFile, MaxEchapFile
	t.Cleanup(func() { MaxFile, MaxEchapFile = savedFile, savedEchap })
	MaxFile, MaxEchapFile = 4096, 1024
	const yamlList = "- name: SpyOne\n  packages: [com.spyone.app]\n"
	tests := []struct {
		name, file, content string
		size                int
		wantCause           string // after the file's path; "" when loaded
	}{
		{"bundle at MaxFile", "b.stix2", goodBundle, 4096, ""},
		{"bundle past MaxFile", "b.stix2", goodBundle, 4097, ": larger than 4096 bytes: not read"},
		{"Echap list at MaxEchapFile", "ioc.yaml", yamlList, 1024, ""},
		{"Echap list past MaxEchapFile", "ioc.yaml", yamlList, 1025, ": larger than 1024 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tt.file)
			writeFile(t, p, tt.content+strings.Repeat("\n", tt.size-len(tt.content)))
			set, err := Load(context.Background(), Options{Paths: []string{p}, NoEmbedded: true})
			if err != nil {
				t.Fatal(err)
			}
			if tt.wantCause == "" {
				if len(set.Unread) != 0 || len(set.Sources) != 1 || set.Sources[0].Indicators() != 1 {
					t.Fatalf("unread %+v, sources %+v", set.Unread, set.Sources)
				}
				return
			}
			if len(set.Unread) != 1 || set.Unread[0].Cause != p+tt.wantCause {
				t.Fatalf("unread %+v, want one with cause %q", set.Unread, p+tt.wantCause)
			}
		})
	}
}
