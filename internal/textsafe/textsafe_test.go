package textsafe

import (
	"testing"
	"unicode/utf8"
)

func TestVisible(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain text, é and 日本", "plain text, é and 日本"},
		{"tab\tand\nlines\r", "tab\tand\nlines\r"},
		{"invoice_\u202Efdp.exe", `invoice_\u202Efdp.exe`},
		{"pay\u200Bpal.com", `pay\u200Bpal.com`},
		{"\uFEFFbom", `\uFEFFbom`},
		{"a\u2066b\u2069", `a\u2066b\u2069`},
		{"bell\a nul\x00 del\x7f c1\u0085", `bell\u0007 nul\u0000 del\u007F c1\u0085`},
		{"bad \xff\xfe utf8", `bad \xFF\xFE utf8`},
		{"tag \U000E0041", `tag \U000E0041`},
		{"line\u2028sep", `line\u2028sep`},
	}
	for _, c := range cases {
		if got := Visible(c.in); got != c.want {
			t.Errorf("Visible(%q) = %q, want %q", c.in, got, c.want)
		}
		if Changed(c.in) != (c.in != c.want) {
			t.Errorf("Changed(%q) = %v", c.in, Changed(c.in))
		}
	}
}

// TestCSVCell: the OWASP list of formula triggers is neutralised; other
// text and the rest of the cell stay as they are.
func TestCSVCell(t *testing.T) {
	cases := []struct{ in, want string }{
		{`=HYPERLINK("http://x","y")`, `'=HYPERLINK("http://x","y")`},
		{"+1+2", "'+1+2"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"a=1", "a=1"},
		{"", ""},
		{"'quoted", "'quoted"},
		{"\u202E=1", `\u202E=1`},
	}
	for _, c := range cases {
		if got := CSVCell(c.in); got != c.want {
			t.Errorf("CSVCell(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzVisible(f *testing.F) {
	f.Add("a\u202Eb\xff")
	f.Add("=1")
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 1<<16 {
			return
		}
		v := Visible(s)
		if !utf8.ValidString(v) {
			t.Errorf("Visible(%q) = %q is not UTF-8", s, v)
		}
		if Changed(v) {
			t.Errorf("Visible(%q) = %q still hides something", s, v)
		}
		if !Changed(s) && v != s {
			t.Errorf("clean %q changed to %q", s, v)
		}
		c := CSVCell(s)
		if c != "" && (c[0] == '=' || c[0] == '+' || c[0] == '-' || c[0] == '@' || c[0] == '\t' || c[0] == '\r') {
			t.Errorf("CSVCell(%q) = %q starts a formula", s, c)
		}
	})
}

func BenchmarkVisibleClean(b *testing.B) {
	s := "2023-09-12 14:30:00 https://example.com/some/path?q=1 message from +33 6 12 34 56 78"
	b.ReportAllocs()
	for b.Loop() {
		_ = CSVCell(s)
	}
}
