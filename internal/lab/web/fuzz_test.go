package web

import (
	"bytes"
	"mime/multipart"
	"net/textproto"
	"path"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/spyscan/spyscan/internal/i18n"
)

// partNamed builds the multipart part a browser sends for filename.
func partNamed(t *testing.T, filename string) *multipart.Part {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(filename)+`"`)
	w, err := mw.CreatePart(h)
	if err != nil {
		t.Skip()
	}
	w.Write([]byte("x"))
	mw.Close()
	p, err := multipart.NewReader(&buf, mw.Boundary()).NextPart()
	if err != nil {
		t.Skip()
	}
	return p
}

// FuzzUploadPath: whatever name a client sends, an accepted upload path is
// relative, clean, inside its folder, bounded, and free of control
// characters.
func FuzzUploadPath(f *testing.F) {
	for _, s := range []string{"capture.pcapng", "ios-backup/Manifest.db", "../x", "/etc/passwd", `C:\x`, "a//b", "a/./b",
		"a/../../b", "a\x00b", "ünïcödé/ﬁle", strings.Repeat("d/", 70) + "f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		if len(name) > 4096 {
			return
		}
		rel, ok := uploadPath(partNamed(t, name))
		if !ok || rel == "" {
			return
		}
		if path.IsAbs(rel) || path.Clean(rel) != rel || rel == ".." || strings.HasPrefix(rel, "../") || strings.Contains(rel, "\\") ||
			len(rel) > maxPathLen || strings.Count(rel, "/") >= maxPathDepth || (len(rel) > 1 && rel[1] == ':') {
			t.Fatalf("accepted %q as %q", name, rel)
		}
		for _, r := range rel {
			if r < 0x20 || r == 0x7f {
				t.Fatalf("accepted a control character in %q", rel)
			}
		}
	})
}

// FuzzLocalPath: a redirect target from a form never leaves the site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/cases/1", "//evil.example/x", "/\\evil.example", "https://evil.example", "/x\r\nSet-Cookie: a=b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := localPath(s)
		if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
			t.Fatalf("localPath(%q) = %q leaves the site", s, p)
		}
	})
}

// FuzzAcceptLanguage: any header gives a language with a catalog.
func FuzzAcceptLanguage(f *testing.F) {
	for _, s := range []string{"fr-CH, fr;q=0.9, en;q=0.8", "*", "", ";;;,,,", "xx-YY"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		if len(h) > 8192 {
			return
		}
		if l := acceptLanguage(h); !i18n.Supported(l) || !utf8.ValidString(l) {
			t.Fatalf("acceptLanguage(%q) = %q", h, l)
		}
	})
}
