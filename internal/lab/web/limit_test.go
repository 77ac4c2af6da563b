package web

import (
	"bytes"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/i18n"
)

// TestUploadPathLimits checks maxPathLen and maxPathDepth at the limit and
// one past it.
func TestUploadPathLimits(t *testing.T) {
	deep := func(n int) string { return strings.Repeat("d/", n-1) + "f" } // n elements
	tests := []struct {
		name, path string
		ok         bool
	}{
		{"length at the limit", strings.Repeat("a", maxPathLen-2) + "/b", true},
		{"length one past", strings.Repeat("a", maxPathLen-1) + "/b", false},
		{"depth at the limit", deep(maxPathDepth), true},
		{"depth one past", deep(maxPathDepth + 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rel, ok := uploadPath(partNamed(t, tt.path))
			if ok != tt.ok || (ok && rel != tt.path) {
				t.Fatalf("uploadPath(%d bytes, %d elements) = %d bytes, %v; want ok %v",
					len(tt.path), strings.Count(tt.path, "/")+1, len(rel), ok, tt.ok)
			}
		})
	}
}

// TestUploadFileCountLimit checks maxUploadFiles (lowered for the test) at
// the limit and one file past it: past it the upload is refused with HTTP
// 413 and the message the user reads.
func TestUploadFileCountLimit(t *testing.T) {
	saved := maxUploadFiles
	maxUploadFiles = 3
	t.Cleanup(func() { maxUploadFiles = saved })
	s := &Server{cfg: Config{MaxUpload: 1 << 20}}
	for _, tt := range []struct {
		files   int
		wantErr string
	}{
		{3, ""},
		{4, "The upload has more than 3 files."},
	} {
		t.Run(fmt.Sprint(tt.files, " files"), func(t *testing.T) {
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			for i := range tt.files {
				w, err := mw.CreateFormFile("file", fmt.Sprintf("folder/f%d", i))
				if err != nil {
					t.Fatal(err)
				}
				w.Write([]byte("x"))
			}
			mw.Close()
			up, err := s.receiveFiles(multipart.NewReader(&buf, mw.Boundary()), t.TempDir())
			if tt.wantErr == "" {
				if err != nil || len(up.files) != tt.files {
					t.Fatalf("err %v, upload %+v", err, up)
				}
				return
			}
			var ref *refusal
			if !errors.As(err, &ref) {
				t.Fatalf("err %v, want a refusal", err)
			}
			if got := i18n.Get(i18n.Default).T(ref.key, ref.args...); ref.status != http.StatusRequestEntityTooLarge || got != tt.wantErr {
				t.Fatalf("refused with %d %q, want 413 %q", ref.status, got, tt.wantErr)
			}
		})
	}
}
