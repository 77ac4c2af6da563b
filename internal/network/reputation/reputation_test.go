package reputation

import (
	"strings"
	"testing"
)

func TestSuspiciousTLD(t *testing.T) {
	tests := []struct {
		host, tld string
		ok        bool
	}{
		{"evil.xyz", "xyz", true},
		{"A.B.Evil.TK.", "tk", true},
		{"cdn.example.top", "top", true},
		{"example.com", "", false},
		{"xyz", "", false}, // a bare label
		{"example.xyz.com", "", false},
		{"", "", false},
		{"trailing.", "", false},
	}
	for _, tc := range tests {
		tld, ok := SuspiciousTLD(tc.host)
		if tld != tc.tld || ok != tc.ok {
			t.Errorf("SuspiciousTLD(%q) = %q, %v; want %q, %v", tc.host, tld, ok, tc.tld, tc.ok)
		}
	}
}

func TestFreeDNS(t *testing.T) {
	tests := []struct {
		host, provider string
		ok             bool
	}{
		{"c2.duckdns.org", "duckdns", true},
		{"deep.sub.DDNS.net.", "no-ip", true},
		{"x.mooo.com", "freedns-afraid", true},
		{"home.dyndns.org", "dyndns", true},
		{"duckdns.org", "", false},         // the provider itself
		{"notduckdns.org", "", false},      // no label boundary
		{"duckdns.org.example", "", false}, // zone not at the end
		{"", "", false},
	}
	for _, tc := range tests {
		p, ok := FreeDNS(tc.host)
		if p != tc.provider || ok != tc.ok {
			t.Errorf("FreeDNS(%q) = %q, %v; want %q, %v", tc.host, p, ok, tc.provider, tc.ok)
		}
	}
}

func TestFreeCertIssuer(t *testing.T) {
	tests := []struct {
		dn, name string
		ok       bool
	}{
		{"CN=R3,O=Let's Encrypt,C=US", "Let's Encrypt", true},
		{"CN=E6,O=LET'S ENCRYPT,C=US", "Let's Encrypt", true},
		{"CN=ZeroSSL RSA Domain Secure Site CA,O=ZeroSSL,C=AT", "ZeroSSL", true},
		{"CN=DigiCert Global G2 TLS RSA SHA256 2020 CA1,O=DigiCert Inc,C=US", "", false},
		{"CN=WR2,O=Google Trust Services,C=US", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		n, ok := FreeCertIssuer(tc.dn)
		if n != tc.name || ok != tc.ok {
			t.Errorf("FreeCertIssuer(%q) = %q, %v; want %q, %v", tc.dn, n, ok, tc.name, tc.ok)
		}
	}
}

func TestListsWellFormed(t *testing.T) {
	tlds, zones, issuers := Sizes()
	if tlds < 20 || zones < 100 || issuers < 3 {
		t.Errorf("lists too small: %d TLDs, %d zones, %d issuers", tlds, zones, issuers)
	}
	for name, text := range map[string]string{"suspicious_tlds.txt": tldText, "free_dns.txt": freeDNSText, "free_cert_issuers.txt": issuerText} {
		if !strings.Contains(text, "Sources consulted") || !strings.Contains(text, "2026-") {
			t.Errorf("%s: header must name its sources and date", name)
		}
		seen := map[string]bool{}
		for _, l := range dataLines(text) {
			key := l
			if name == "free_cert_issuers.txt" {
				key, _, _ = strings.Cut(l, "|")
			} else {
				key = strings.Fields(l)[0]
			}
			if seen[key] {
				t.Errorf("%s: duplicate entry %q", name, key)
			}
			seen[key] = true
		}
	}
	for _, l := range dataLines(freeDNSText) {
		if len(strings.Fields(l)) != 2 {
			t.Errorf("free_dns.txt: line %q is not '<zone> <provider>'", l)
		}
	}
}

func TestLookupsDoNotAllocate(t *testing.T) {
	load()
	n := testing.AllocsPerRun(100, func() {
		SuspiciousTLD("www.example.xyz")
		FreeDNS("a.b.c.duckdns.org")
		FreeCertIssuer("CN=R3,O=Let's Encrypt,C=US")
	})
	if n != 0 {
		t.Errorf("%v allocations per look-up", n)
	}
}

func BenchmarkFreeDNS(b *testing.B) {
	for b.Loop() {
		FreeDNS("telemetry.cdn.some-vendor.example.com")
	}
}

func BenchmarkSuspiciousTLD(b *testing.B) {
	for b.Loop() {
		SuspiciousTLD("telemetry.cdn.some-vendor.example.com")
	}
}
