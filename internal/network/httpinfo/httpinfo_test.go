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
	f.Fuzz(func(t *testing.T, b []byte) {
		r, n, err := httpinfo.ParseRequest(b)
		if err == nil && (n > len(b) || r == nil) {
			t.Fatalf("head length %d of %d", n, len(b))
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
