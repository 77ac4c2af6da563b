package match

import (
	"reflect"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/model"
)

// testIndicators are one indicator of each kind of look-up.
func testIndicators() []Indicator {
	src := []model.Provenance{{Source: "test", Family: "Pegasus"}}
	inds := []Indicator{
		{Type: Domain, Value: "evil.com", Sources: src},
		{Type: Domain, Value: "www.shady.net", Sources: src},
		{Type: Domain, Value: "xn--telegrm-qbd.com", Sources: src},
		{Type: Domain, Value: "178.63.71.15", Sources: src},
		{Type: Domain, Value: "fgr1w2gnsdvsb.xyz/x", Sources: src},
		{Type: Domain, Value: "EVIL-UPPER.ORG.", Sources: src},
		{Type: IP, Value: "2001:db8::1", Sources: src},
		{Type: IP, Value: "10.9.8.7", Sources: src},
		{Type: URL, Value: "HTTPS://Exact.Example:443/a%7Eb?q=1", Sources: src},
		{Type: Email, Value: "Bad.Guy@Mail.com", Sources: src},
		{Type: Process, Value: "bh", Sources: src},
		{Type: Process, Value: "com.apple.Mappit.SnapshotService", Sources: src},
		{Type: FilePath, Value: "/private/var/db/com.apple.xpc.roleaccountd.staging", Sources: src},
		{Type: FileName, Value: "libtools.dylib", Sources: src},
		{Type: FileSHA256, Value: "AB" + rep("0", 62), Sources: src},
		{Type: FileSHA1, Value: rep("1", 40), Sources: src},
		{Type: FileMD5, Value: rep("2", 32), Sources: src},
		{Type: AppCertSHA1, Value: "F" + rep("3", 39), Sources: src},
		{Type: TLSCertSHA256, Value: rep("4", 64), Sources: src},
		{Type: AppID, Value: "com.sc.spyier.v2", Sources: src},
		{Type: Profile, Value: "com.evil.profile", Sources: src},
		{Type: AndroidProperty, Value: "persist.sys.evil", Sources: src},
	}
	return inds
}

func rep(s string, n int) string {
	b := make([]byte, 0, n)
	for len(b) < n {
		b = append(b, s...)
	}
	return string(b)
}

// hit returns the indicator values matched, in order.
func hit(ms []model.Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Indicator)
	}
	return out
}

func same(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestDomain(t *testing.T) {
	forEachIndex(t, testIndicators(), func(t *testing.T, ix *Index) {
		tests := []struct {
			host string
			want []string
		}{
			{"evil.com", []string{"evil.com"}},
			{"EVIL.COM.", []string{"evil.com"}},
			{"a.b.evil.com", []string{"evil.com"}},
			{"notevil.com", nil},
			{"evil.com.au", nil},
			{"evil.co", nil},
			{"com", nil},
			{"www.shady.net", []string{"www.shady.net"}},
			{"a.www.shady.net", []string{"www.shady.net"}},
			{"shady.net", []string{"www.shady.net"}},               // bare form of a www. indicator
			{"mail.shady.net", nil},                                // but not its siblings
			{"wwwshady.net", nil},                                  // never lstrip("www.")
			{"telegr\u0251m.com", []string{"xn--telegrm-qbd.com"}}, // Latin alpha → punycode
			{"telegrаm.com", nil},                                  // Cyrillic а is another name
			{"XN--TELEGRM-QBD.COM", []string{"xn--telegrm-qbd.com"}},
			{"178.63.71.15", []string{"178.63.71.15"}}, // IP literal listed as a domain
			{"[2001:db8::1]", []string{"2001:db8::1"}},
			{"evil-upper.org", []string{"evil-upper.org"}},
			{"fgr1w2gnsdvsb.xyz", nil}, // path indicator needs the path
			{"", nil},
			{"...", nil},
		}
		for _, tt := range tests {
			if got := hit(ix.Domain(tt.host)); !same(got, tt.want) {
				t.Errorf("Domain(%q) = %v, want %v", tt.host, got, tt.want)
			}
		}
	})
}

func TestURL(t *testing.T) {
	forEachIndex(t, testIndicators(), func(t *testing.T, ix *Index) {
		tests := []struct {
			url  string
			want []string
		}{
			{"https://x.evil.com/a", []string{"evil.com"}},
			{"x.evil.com/a?b#c", []string{"evil.com"}},
			{"//evil.com", []string{"evil.com"}},
			{"http://user:pw@evil.com:8080/p", []string{"evil.com"}},
			{"http://evil.com@good.org/p", nil}, // userinfo is not the host
			{"https://good.org/?u=evil.com", nil},
			{"https://notevil.com/", nil},
			{"http://[2001:db8::1]:443/x", []string{"2001:db8::1"}},
			{"http://10.9.8.7/x", []string{"10.9.8.7"}},
			{"http://ev%69l.com/", []string{"evil.com"}},
			{"https://fgr1w2gnsdvsb.xyz/x", []string{"fgr1w2gnsdvsb.xyz/x"}},
			{"https://fgr1w2gnsdvsb.xyz/x/y?z", []string{"fgr1w2gnsdvsb.xyz/x"}},
			{"https://sub.fgr1w2gnsdvsb.xyz/x", []string{"fgr1w2gnsdvsb.xyz/x"}},
			{"https://fgr1w2gnsdvsb.xyz/xy", nil},
			{"https://fgr1w2gnsdvsb.xyz/", nil},
			{"https://exact.example/a~b?q=1", []string{"https://exact.example/a~b?q=1"}},
			{"https://EXACT.example:443/a%7eb?q=1#frag", []string{"https://exact.example/a~b?q=1"}},
			{"https://exact.example/a~b?q=2", nil},
			{"mailto:someone@evil.com", []string{"evil.com"}},
			{"", nil},
		}
		for _, tt := range tests {
			if got := hit(ix.URL(tt.url)); !same(got, tt.want) {
				t.Errorf("URL(%q) = %v, want %v", tt.url, got, tt.want)
			}
		}
	})
}

func TestOtherTypes(t *testing.T) {
	forEachIndex(t, testIndicators(), func(t *testing.T, ix *Index) {
		tests := []struct {
			name string
			fn   func(string) []model.Match
			v    string
			want []string
		}{
			{"ip v4", ix.IP, "10.9.8.7", []string{"10.9.8.7"}},
			{"ip v4-mapped", ix.IP, "::ffff:10.9.8.7", []string{"10.9.8.7"}},
			{"ip v6 long form", ix.IP, "2001:0db8:0000::0001", []string{"2001:db8::1"}},
			{"ip other", ix.IP, "10.9.8.70", nil},
			{"email case", ix.Email, "bad.guy@MAIL.com", []string{"bad.guy@mail.com"}},
			{"email mailto", ix.Email, "mailto:Bad.Guy@mail.com", []string{"bad.guy@mail.com"}},
			{"email other", ix.Email, "bad.guy@mail.co", nil},
			{"process exact", ix.Process, "bh", []string{"bh"}},
			{"process path", ix.Process, "/private/var/db/bh", []string{"bh"}},
			{"process case", ix.Process, "BH", nil},
			{"process 15-char truncation", ix.Process, "com.apple.Mappi", []string{"com.apple.Mappit.SnapshotService"}},
			{"process 16-char truncation", ix.Process, "com.apple.Mappit", []string{"com.apple.Mappit.SnapshotService"}},
			{"process short prefix", ix.Process, "com.apple.Map", nil},
			{"path exact", ix.Path, "/private/var/db/com.apple.xpc.roleaccountd.staging", []string{"/private/var/db/com.apple.xpc.roleaccountd.staging"}},
			{"path below", ix.Path, "/private/var/db/com.apple.xpc.roleaccountd.staging/x/y", []string{"/private/var/db/com.apple.xpc.roleaccountd.staging"}},
			{"path not boundary", ix.Path, "/private/var/db/com.apple.xpc.roleaccountd.stagingX", nil},
			{"file name", ix.Path, "/usr/lib/libtools.dylib", []string{"libtools.dylib"}},
			{"file name bare", ix.Path, "libtools.dylib", []string{"libtools.dylib"}},
			{"sha256 case", ix.FileHash, "ab" + rep("0", 62), []string{"ab" + rep("0", 62)}},
			{"sha1", ix.FileHash, rep("1", 40), []string{rep("1", 40)}},
			{"md5", ix.FileHash, rep("2", 32), []string{rep("2", 32)}},
			{"sha1 not md5 namespace", ix.FileHash, rep("2", 40), nil},
			{"app cert upper/lower", ix.AppCert, "f" + rep("3", 39), []string{"f" + rep("3", 39)}},
			{"app cert colons", ix.AppCert, "F3:" + strings.Repeat("33:", 18) + "33", []string{"f" + rep("3", 39)}},
			{"tls cert is not app cert", ix.AppCert, rep("4", 64), nil},
			{"app cert is not file hash", ix.FileHash, "f" + rep("3", 39), nil},
			{"tls cert", ix.TLSCert, rep("4", 64), []string{rep("4", 64)}},
			{"app id case", ix.AppID, "COM.sc.Spyier.v2", []string{"com.sc.spyier.v2"}},
			{"app id prefix", ix.AppID, "com.sc.spyier", nil},
			{"profile", ix.Profile, "com.evil.PROFILE", []string{"com.evil.profile"}},
			{"property", ix.AndroidProperty, "persist.sys.evil", []string{"persist.sys.evil"}},
		}
		for _, tt := range tests {
			if got := hit(tt.fn(tt.v)); !same(got, tt.want) {
				t.Errorf("%s: %q → %v, want %v", tt.name, tt.v, got, tt.want)
			}
		}
	})
}

func TestAny(t *testing.T) {
	forEachIndex(t, testIndicators(), func(t *testing.T, ix *Index) {
		tests := []struct {
			v    string
			want []string
		}{
			{"https://x.evil.com/a", []string{"evil.com"}},
			{"notevil.com", nil},
			{"sub.evil.com", []string{"evil.com"}},
			{"10.9.8.7", []string{"10.9.8.7"}},
			{"bad.guy@mail.com", []string{"bad.guy@mail.com"}},
			{rep("1", 40), []string{rep("1", 40)}},
			{"bh", []string{"bh"}},
			{"/private/var/db/com.apple.xpc.roleaccountd.staging/a", []string{"/private/var/db/com.apple.xpc.roleaccountd.staging"}},
			{"com.sc.spyier.v2", []string{"com.sc.spyier.v2"}},
			{"   ", nil},
		}
		for _, tt := range tests {
			if got := hit(ix.Any(tt.v)); !same(got, tt.want) {
				t.Errorf("Any(%q) = %v, want %v", tt.v, got, tt.want)
			}
		}
	})
}

func TestMergesSources(t *testing.T) {
	a := model.Provenance{Source: "amnesty", File: "a.stix2", Family: "Pegasus"}
	b := model.Provenance{Source: "mvt", File: "b.stix2", Family: "Pegasus"}
	inds := []Indicator{
		{Type: Domain, Value: "evil.com", Sources: []model.Provenance{a}},
		{Type: Domain, Value: "EVIL.com.", Sources: []model.Provenance{b}},
		{Type: Domain, Value: "evil.com", Sources: []model.Provenance{a}},
	}
	forEachIndex(t, inds, func(t *testing.T, ix *Index) {
		ms := ix.Domain("evil.com")
		if len(ms) != 1 || len(ms[0].Sources) != 2 {
			t.Fatalf("got %+v, want one match with both sources", ms)
		}
		if ix.Len() != 1 || ix.Count(Domain) != 1 {
			t.Errorf("Len=%d Count=%d, want 1, 1", ix.Len(), ix.Count(Domain))
		}
	})
}

func TestPartialStaysPartialUnlessListedWhole(t *testing.T) {
	src := []model.Provenance{{Source: "t"}}
	forEachIndex(t, []Indicator{{Type: Domain, Value: "a.com", Partial: true, Sources: src}}, func(t *testing.T, ix *Index) {
		if ms := ix.Domain("a.com"); len(ms) != 1 || !ms[0].Partial {
			t.Fatalf("want partial match, got %+v", ms)
		}
	})
	forEachIndex(t, []Indicator{{Type: Domain, Value: "a.com", Partial: true, Sources: src}, {Type: Domain, Value: "a.com", Sources: src}}, func(t *testing.T, ix *Index) {
		if ms := ix.Domain("a.com"); len(ms) != 1 || ms[0].Partial {
			t.Fatalf("want full match, got %+v", ms)
		}
	})
}

func TestRejects(t *testing.T) {
	inds := []Indicator{{Type: Domain, Value: "  "}, {Type: IP, Value: "not-an-ip"}, {Type: "bogus", Value: "x"}}
	_, rejects := NewIndex(inds)
	if len(rejects) != 3 {
		t.Fatalf("rejects = %d, want 3", len(rejects))
	}
	st, err := OpenStored(string(Encode(inds)))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := st.Rejects(); err != nil || !reflect.DeepEqual(got, rejects) {
		t.Fatalf("stored rejects = %+v (%v), want %+v", got, err, rejects)
	}
}

func TestSplitURL(t *testing.T) {
	tests := []struct{ in, scheme, host, port, path string }{
		{"https://a.b:8443/x?y", "https", "a.b", "8443", "/x"},
		{"a.b/x", "", "a.b", "", "/x"},
		{"a.b:80", "", "a.b", "80", ""},
		{"ftp://u@[::1]:21/f", "ftp", "::1", "21", "/f"},
		{"HTTP://A.B", "http", "a.b", "", ""},
	}
	for _, tt := range tests {
		s, h, p, pa := SplitURL(tt.in)
		if s != tt.scheme || h != tt.host || p != tt.port || pa != tt.path {
			t.Errorf("SplitURL(%q) = %q %q %q %q", tt.in, s, h, p, pa)
		}
	}
}

func FuzzURL(f *testing.F) {
	ix, _ := NewIndex([]Indicator{{Type: Domain, Value: "evil.com"}, {Type: Domain, Value: "h.xyz/x"}, {Type: URL, Value: "https://e.x/a"}})
	for _, s := range []string{"https://x.evil.com/a", "//[::1]:80", "a@b@c:1:2", "%zz.com", "http://ev%69l.com/", "xn--80ak6aa92e.com", "mailto:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := ix.URL(s), refURL(ix, s); !reflect.DeepEqual(got, want) {
			t.Fatalf("URL(%q) = %+v, the reference gives %+v", s, got, want)
		}
		if got, want := NormalizeURL(s), refNormalizeURL(s); got != want {
			t.Fatalf("NormalizeURL(%q) = %q, the reference gives %q", s, got, want)
		}
		ix.Any(s)
	})
}

// TestPathSkipsOnlyAbsentLengths: Path, which looks up only the prefixes
// as long as some file:path indicator, finds what looking up every
// folder above the path finds, for indicators of many lengths (past 64,
// with trailing slashes, the root) and paths inside, beside and above
// them.
func TestPathSkipsOnlyAbsentLengths(t *testing.T) {
	src := []model.Provenance{{Source: "test"}}
	var inds []Indicator
	for _, v := range []string{"/", "/data/local/tmp/", "/data/local/tmp/x", "/sdcard/" + strings.Repeat("d", 70), "/a", "/private/var/db/com.apple.xpc.roleaccountd.staging"} {
		inds = append(inds, Indicator{Type: FilePath, Value: v, Sources: src})
	}
	ix, _ := NewIndex(inds)
	every := func(p string) []string { // the look-ups before the filter
		var out []string
		t := strings.TrimRight(p, "/")
		if e := ix.filePaths[t]; e != nil {
			out = append(out, e.value)
		}
		for i := len(t) - 1; i > 0; i-- {
			if t[i] == '/' {
				if e := ix.filePaths[t[:i]]; e != nil {
					out = append(out, e.value)
				}
			}
		}
		return out
	}
	for _, p := range []string{"/", "//", "/a", "/a/", "/a/b", "/ab", "/data/local/tmp", "/data/local/tmp/x", "/data/local/tmp/x/y",
		"/data/local/tmpx", "/sdcard/" + strings.Repeat("d", 70) + "/f", "/sdcard/" + strings.Repeat("d", 69), "/private/var/db/com.apple.xpc.roleaccountd.staging/z"} {
		var got []string
		for _, m := range ix.Path(p) {
			if m.How != "file-name" {
				got = append(got, m.Indicator)
			}
		}
		if want := every(p); !reflect.DeepEqual(got, want) {
			t.Errorf("Path(%q) = %q, every folder's look-up %q", p, got, want)
		}
	}
}
