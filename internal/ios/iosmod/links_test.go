package iosmod

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// linkRE is the reference definition of a link that Links implements.
var linkRE = regexp.MustCompile(`(?i)\b(?:https?://|www\.)[^\s<>"'()\[\]{}]+`)

// refLinks is Links written with linkRE.
func refLinks(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range linkRE.FindAllString(text, -1) {
		l = strings.TrimRight(l, ".,;:!?")
		if !seen[l] {
			seen[l] = true
			out = append(out, l)
		}
	}
	return out
}

var linkCases = []struct {
	text string
	want []string
}{
	{"", nil},
	{"no link here", nil},
	{"see https://c.free247downloads.com/redirect/7a3b9 now", []string{"https://c.free247downloads.com/redirect/7a3b9"}},
	{"HTTP://A.example/x, and www.B.example.", []string{"HTTP://A.example/x", "www.B.example"}},
	{"twice http://a.example http://a.example", []string{"http://a.example"}},
	{"xhttp://glued.example and _www.glued.example", nil},
	{"(http://paren.example/a)", []string{"http://paren.example/a"}},
	{"<a href=\"https://q.example/p?q=1\">", []string{"https://q.example/p?q=1"}},
	{"http:// alone, www. and www.", nil},
	{"https://, (the comma is part of it, then trimmed)", []string{"https://"}},
	{"https:/one-slash.example", nil},
	{"httpſ://longs.example", []string{"httpſ://longs.example"}},
	{"é http://ünï.example/ß?x=ü. end", []string{"http://ünï.example/ß?x=ü"}},
	{"éhttp://x.example ébhttp://y.example", []string{"http://x.example"}},
	{"a\thttp://tab.example\nwww.nl.example\r\fhttps://ff.example!?", []string{"http://tab.example", "www.nl.example", "https://ff.example"}},
	{"\xffhttp://bad\xfe.example", []string{"http://bad\xfe.example"}},
	{"wwww.four.example http://a.example/http://b.example", []string{"http://a.example/http://b.example"}},
}

func TestLinks(t *testing.T) {
	for _, c := range linkCases {
		got := Links(c.text)
		if ref := refLinks(c.text); !slices.Equal(got, ref) {
			t.Errorf("Links(%q) = %q, the reference expression gives %q", c.text, got, ref)
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("Links(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

// FuzzLinks checks Links against the reference regular expression.
func FuzzLinks(f *testing.F) {
	for _, c := range linkCases {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if got, ref := Links(text), refLinks(text); !slices.Equal(got, ref) {
			t.Fatalf("Links(%q) = %q, the reference expression gives %q", text, got, ref)
		}
	})
}

// TestLinksMany checks texts with more links than smallLinks, repeated
// before and after the set of seen links is built.
func TestLinksMany(t *testing.T) {
	for _, n := range []int{smallLinks - 1, smallLinks, smallLinks + 1, 3 * smallLinks} {
		var b strings.Builder
		for i := range n {
			fmt.Fprintf(&b, "https://h%d.example/ www.h%d.example, ", i, i%5)
		}
		for i := range n {
			fmt.Fprintf(&b, "http://h%d.example/ ", n-1-i)
			fmt.Fprintf(&b, "https://h%d.example/ ", i)
		}
		text := b.String()
		got, ref := Links(text), refLinks(text)
		if !slices.Equal(got, ref) {
			t.Errorf("%d links: Links = %q, the reference expression gives %q", n, got, ref)
		}
		if len(got) != 2*n+min(n, 5) {
			t.Errorf("%d links: %d distinct, want %d", n, len(got), 2*n+min(n, 5))
		}
	}
}

var benchText = "message 12345, see https://www.example.org/a/42 and https://news.example.com/x"

func BenchmarkLinks(b *testing.B) {
	for range b.N {
		if len(Links(benchText)) != 2 {
			b.Fatal("links")
		}
	}
}

func BenchmarkLinksRegexp(b *testing.B) {
	for range b.N {
		if len(refLinks(benchText)) != 2 {
			b.Fatal("links")
		}
	}
}
