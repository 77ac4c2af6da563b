package manifest

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// hostsBefore is Hosts as it was before mayBeHost and the in-place labels.
func hostsBefore(p string) []string {
	var out []string
	add := func(h string) {
		h = strings.ToLower(strings.Trim(h, "."))
		if looksLikeHostBefore(h) && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	for c := range strings.SplitSeq(p, "/") {
		for _, scheme := range []string{"https_", "http_"} {
			if rest, ok := strings.CutPrefix(c, scheme); ok {
				host, _, _ := strings.Cut(rest, "_")
				add(host)
			}
		}
		if strings.Contains(c, "_") {
			continue
		}
		if i := strings.LastIndexByte(c, '.'); i > 0 && fileExts[strings.ToLower(c[i+1:])] {
			c = c[:i]
		}
		add(c)
	}
	return out
}

func looksLikeHostBefore(h string) bool {
	if len(h) < 4 || len(h) > 253 || !strings.Contains(h, ".") {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	labels := strings.Split(h, ".")
	tld := labels[len(labels)-1]
	if len(tld) < 2 || fileExts[tld] {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'a' || tld[i] > 'z' {
			return false
		}
	}
	for _, l := range labels {
		if l == "" {
			return false
		}
	}
	switch labels[0] {
	case "com", "net", "org", "group", "systemgroup", "ph":
		return false
	}
	return true
}

// TestHostsAsBefore: Hosts gives what it gave before on random paths of
// the pieces that matter (dots, case, schemes, extensions, reverse-DNS
// names, characters lower-casing turns into ASCII).
func TestHostsAsBefore(t *testing.T) {
	pieces := []string{"", ".", "..", "/", "_", "https_", "http_", "evil", "EVIL", "com", "apple", "net", "ph", "x", "io", "c0m",
		"plist", "PLIST", "db", "-", "9", "\u212a", "\u0130", "é", "\xff", "www", "Library", "Caches"}
	// lower-casing makes a host of a component that is not ASCII
	if got := Hosts("Library/Caches/\u212aevil.com.plist"); !reflect.DeepEqual(got, []string{"kevil.com"}) {
		t.Errorf("Kelvin sign: %q", got)
	}
	r := rand.New(rand.NewPCG(3, 3))
	found := 0
	for range 200_000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		p := b.String()
		if got, want := Hosts(p), hostsBefore(p); !reflect.DeepEqual(got, want) {
			t.Fatalf("Hosts(%q) = %q, before %q", p, got, want)
		} else if len(got) > 0 {
			found++
		}
	}
	if found < 1000 {
		t.Errorf("only %d of the random paths have a host", found)
	}
}

func FuzzHosts(f *testing.F) {
	for _, p := range []string{"Library/WebKit/https_evil.com_0/x", "Library/Caches/\u212aevil.com.plist", "a/b.c.d/EVIL.IO", "..x..y../z"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := Hosts(p), hostsBefore(p); !reflect.DeepEqual(got, want) {
			t.Fatalf("Hosts(%q) = %q, before %q", p, got, want)
		}
	})
}

// BenchmarkHosts: the host look-up of a manifest record's path, on paths
// as Manifest.db lists them, now and as it was.
func BenchmarkHosts(b *testing.B) {
	paths := []string{"Library/Preferences/com.apple.mobilesafari.plist", "Library/Caches/com.apple.WebKit.Networking/Cache.db",
		"Library/WebKit/WebsiteData/LocalStorage/https_www.example.com_0.localstorage", "Media/DCIM/100APPLE/IMG_0001.HEIC",
		"Library/SMS/sms.db", "Library/Cookies/Cookies.binarycookies", "Documents/evil-site.net/index.html"}
	for _, fn := range []struct {
		name string
		f    func(string) []string
	}{{"now", Hosts}, {"before", hostsBefore}} {
		b.Run(fn.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, p := range paths {
					fn.f(p)
				}
			}
		})
	}
}
