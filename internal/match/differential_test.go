package match

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/model"
)

// randomLookupSet builds indicators and observed URLs and hosts that share
// labels from a small vocabulary, so that exact, subdomain, www-bare,
// host/path and URL matches all happen often, mixed with the odd shapes the
// URL splitter handles (schemes, userinfo, ports, IPv6, escapes, case,
// trailing dots, spaces, internationalised names).
func randomLookupSet(seed uint64, nInd, nQuery int, singleLabel bool) ([]Indicator, []string, []string) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	words := []string{"evil", "cdn", "api", "www", "mail", "a", "b-c", "x_y", "tele", "gram", "xn--telegrm-qbd",
		"shady", "img", "static", "s3", "go", "free247downloads", "update", "push", "m", "0", "123", "e"}
	tlds := []string{"com", "net", "org", "co.uk", "xyz", "io", "info"}
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	host := func(labels int) string {
		parts := make([]string, 0, labels+1)
		for range labels {
			parts = append(parts, pick(words))
		}
		return strings.Join(append(parts, pick(tlds)), ".")
	}
	src := []model.Provenance{{Source: "diff", Family: "Test"}}
	var inds []Indicator
	var hosts, paths []string
	for range nInd {
		h := host(1 + r.IntN(3))
		hosts = append(hosts, h)
		var v string
		switch k := r.IntN(20); {
		case k < 10:
			v = h
		case k < 12:
			v = "www." + h
		case k < 14:
			p := "/" + pick(words)
			if r.IntN(2) == 0 {
				p += "/"
			}
			paths = append(paths, p)
			v = h + p
		case k < 15:
			v = strings.ToUpper(h) + "."
		case k < 16:
			v = fmt.Sprintf("10.%d.%d.%d", r.IntN(4), r.IntN(4), r.IntN(4))
		case k < 17:
			v = "https://" + h + "/" + pick(words)
			paths = append(paths, "/"+pick(words))
		default:
			inds = append(inds, Indicator{Type: URL, Value: pick([]string{"http://", "HTTPS://", "", "https://"}) + h +
				pick([]string{"", ":443", ":80", ":8080"}) + pick([]string{"", "/", "/a%7Eb", "/x?q=1", "/" + pick(words)}), Sources: src})
			continue
		}
		inds = append(inds, Indicator{Type: Domain, Value: v, Partial: r.IntN(10) == 0, Sources: src})
	}
	if singleLabel {
		inds = append(inds, Indicator{Type: Domain, Value: "com", Sources: src}, Indicator{Type: Domain, Value: "localhost", Sources: src})
	}
	inds = append(inds, Indicator{Type: IP, Value: "2001:db8::1", Sources: src}, Indicator{Type: Domain, Value: "telegr\u0251m.com", Sources: src})

	obsHost := func() string {
		switch k := r.IntN(12); {
		case k < 6:
			h := pick(hosts)
			if r.IntN(2) == 0 {
				h = host(r.IntN(2)) + "." + h // a subdomain, or a sibling under another label
			}
			if r.IntN(2) == 0 {
				h = strings.TrimPrefix(h, "www.")
			}
			return h
		case k < 8:
			return host(1 + r.IntN(3))
		case k < 9:
			return fmt.Sprintf("10.%d.%d.%d", r.IntN(4), r.IntN(4), r.IntN(4))
		case k < 10:
			return pick([]string{"[2001:db8::1]", "2001:db8::1", "[::1]", "localhost", "com", "telegr\u0251m.com", "TELEGR\u0251M.COM", "..", "", "a..b.com", "-.com"})
		default:
			return pick(tlds)
		}
	}
	mangle := func(h string) string {
		switch r.IntN(8) {
		case 0:
			return strings.ToUpper(h)
		case 1:
			return h + "."
		case 2:
			if i := strings.IndexByte(h, 'e'); i >= 0 {
				return h[:i] + "%65" + h[i+1:] // percent-escaped host character
			}
		case 3:
			return " " + h + "\t"
		}
		return h
	}
	var urls, domains []string
	for range nQuery {
		h := mangle(obsHost())
		domains = append(domains, h)
		var b strings.Builder
		b.WriteString(pick([]string{"", "", "http://", "https://", "HTTPS://", "//", "ftp://", "mailto:", "x+y-z.v://", "1bad://", "://",
			strings.Repeat("s", 32) + "://", strings.Repeat("s", 33) + "://", "a/b://", "A1:", "http:/"}))
		if r.IntN(10) == 0 {
			b.WriteString(pick([]string{"user@", "u:pw@", "evil.com@", "a@b@"}))
		}
		b.WriteString(h)
		if r.IntN(6) == 0 {
			b.WriteString(pick([]string{":443", ":80", ":8080", ":", ":x"}))
		}
		switch k := r.IntN(6); {
		case k < 2 && len(paths) > 0:
			b.WriteString(pick(paths))
			b.WriteString(pick([]string{"", "/", "x", "/deeper", "?q=1", "#f"}))
		case k < 4:
			b.WriteString("/" + pick(words) + pick([]string{"", "/", "?u=evil.com", "%7e", "#frag"}))
		case k < 5:
			b.WriteString(pick([]string{"?q", "#x", "/", ""}))
		}
		urls = append(urls, b.String())
	}
	return inds, urls, domains
}

// TestLookupDifferential checks that Index.URL and Index.Domain give exactly
// what the frozen reference implementation (reference_test.go) gives, match
// for match, on random indicator sets and observed values.
func TestLookupDifferential(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		seed        uint64
		singleLabel bool
	}{{1, false}, {2, true}, {3, false}} {
		inds, urls, domains := randomLookupSet(tc.seed, 5_000, 30_000, tc.singleLabel)
		ix, _ := NewIndex(inds)
		hits := 0
		for _, v := range indexVariants(t, inds) {
			hits = 0
			for _, u := range urls {
				got, want := v.ix.URL(u), refURL(ix, u)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("seed %d, %s: URL(%q)\n got %+v\nwant %+v", tc.seed, v.name, u, got, want)
				}
				hits += len(want)
			}
			for _, d := range domains {
				got, want := v.ix.Domain(d), refDomain(ix, d)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("seed %d, %s: Domain(%q)\n got %+v\nwant %+v", tc.seed, v.name, d, got, want)
				}
				hits += len(want)
			}
		}
		// The set must exercise matching, not only misses.
		if hits < len(urls)/10 {
			t.Fatalf("seed %d: only %d matches in %d look-ups: the random set no longer exercises matching", tc.seed, hits, len(urls)+len(domains))
		}
		t.Logf("seed %d: %d look-ups, %d matches", tc.seed, len(urls)+len(domains), hits)
	}
}

// TestSuffixFilter checks the domain pre-filter: never a false negative
// (that would miss an indicator), and few false positives at 16 bits per
// key (each costs a map probe).
func TestSuffixFilter(t *testing.T) {
	t.Parallel()
	keys := map[string]*entry{}
	for i := range 100_000 {
		keys[fmt.Sprintf("k%d.example", i)] = nil
	}
	f := newSuffixFilter(keys)
	for k := range keys {
		if !f.mayContain(k) {
			t.Fatalf("false negative for %q", k)
		}
	}
	fp := 0
	const probes = 100_000
	for i := range probes {
		if f.mayContain(fmt.Sprintf("other%d.example", i)) {
			fp++
		}
	}
	if rate := float64(fp) / probes; rate > 0.02 {
		t.Errorf("false-positive rate %.2f%%, want at most 2%%", 100*rate)
	} else {
		t.Logf("false-positive rate %.2f%%", 100*rate)
	}
}
