package dissect

import (
	"net/netip"
	"testing"
)

func checkParseAddr(t *testing.T, s string) {
	t.Helper()
	want, err := netip.ParseAddr(s)
	got, ok := ParseAddr(s)
	if ok != (err == nil) || got != want {
		t.Fatalf("ParseAddr(%q) = %v, %v; netip.ParseAddr gives %v, %v", s, got, ok, want, err)
	}
}

func TestParseAddrAsNetip(t *testing.T) {
	for _, s := range []string{"", ".", "1.2.3.4", "01.2.3.4", "1.2.3", "1.2.3.4.", "256.1.1.1", "example.com",
		"1.2.3.4a", "a1.2.3.4", "::1", "::ffff:1.2.3.4", "fe80::1%eth0", "fe80::1%", "[::1]", "1.2.3.4%eth0",
		"%", "1%2", "1:2", "xn--80ak6aa92e.com", "::", "1::2::3", "1.2.3.4:80", "0.0.0.0", "255.255.255.255",
		"1.2.3.-4", "１.2.3.4", "1.2.3.4 ", " 1.2.3.4", "g::1", "ABCD::EF", "1..2.3"} {
		checkParseAddr(t, s)
	}
}

func FuzzParseAddr(f *testing.F) {
	for _, s := range []string{"1.2.3.4", "::1", "example.com", "fe80::1%eth0", "1.2.3.4%x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 256 {
			return
		}
		checkParseAddr(t, s)
	})
}
