// Package reputation owns the embedded reputation lists used by the network
// heuristics: suspicious top-level domains, free dynamic-DNS zones and
// issuers of free (ACME) certificates, with allocation-free look-ups. The
// lists are text files in this package, each with its sources and date in a
// header comment.
package reputation

import (
	_ "embed"
	"strings"
	"sync"
)

var (
	//go:embed suspicious_tlds.txt
	tldText string
	//go:embed free_dns.txt
	freeDNSText string
	//go:embed free_cert_issuers.txt
	issuerText string
)

type lists struct {
	tlds    map[string]struct{}
	freeDNS map[string]string // zone → provider
	issuers []issuer
}

type issuer struct{ needle, name string }

var (
	once   sync.Once
	loaded lists
)

func load() *lists {
	once.Do(func() {
		loaded.tlds = map[string]struct{}{}
		for _, l := range dataLines(tldText) {
			loaded.tlds[strings.ToLower(strings.TrimPrefix(l, "."))] = struct{}{}
		}
		loaded.freeDNS = map[string]string{}
		for _, l := range dataLines(freeDNSText) {
			zone, provider, _ := strings.Cut(l, " ")
			loaded.freeDNS[strings.ToLower(zone)] = strings.TrimSpace(provider)
		}
		for _, l := range dataLines(issuerText) {
			needle, name, _ := strings.Cut(l, "|")
			loaded.issuers = append(loaded.issuers, issuer{strings.ToLower(needle), name})
		}
	})
	return &loaded
}

// dataLines returns the non-empty, non-comment lines of a list file.
func dataLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out
}

// normalise trims a trailing dot and lower-cases host, allocating only when
// host has upper-case letters.
func normalise(host string) string {
	host = strings.TrimSuffix(host, ".")
	for i := 0; i < len(host); i++ {
		if c := host[i]; c >= 'A' && c <= 'Z' {
			return strings.ToLower(host)
		}
	}
	return host
}

// SuspiciousTLD reports whether host ends in a TLD of the suspicious list,
// and which.
func SuspiciousTLD(host string) (tld string, ok bool) {
	host = normalise(host)
	i := strings.LastIndexByte(host, '.')
	if i < 0 || i == len(host)-1 {
		return "", false // a bare label is not a domain under a TLD
	}
	tld = host[i+1:]
	_, ok = load().tlds[tld]
	if !ok {
		return "", false
	}
	return tld, true
}

// FreeDNS reports whether host is a name under a free dynamic-DNS zone (the
// zone itself does not count), and the provider.
func FreeDNS(host string) (provider string, ok bool) {
	host = normalise(host)
	l := load()
	for i := 0; i < len(host); i++ {
		if host[i] != '.' {
			continue
		}
		if p, hit := l.freeDNS[host[i+1:]]; hit {
			return p, true
		}
	}
	return "", false
}

// FreeCertIssuer reports whether a certificate issuer distinguished name
// (as Zeek or OpenSSL print it, e.g. "CN=R3,O=Let's Encrypt,C=US") names an
// issuer of free automated certificates, and which.
func FreeCertIssuer(issuerDN string) (name string, ok bool) {
	if issuerDN == "" {
		return "", false
	}
	for _, is := range load().issuers {
		if containsFold(issuerDN, is.needle) {
			return is.name, true
		}
	}
	return "", false
}

// containsFold reports whether s contains the lower-case needle, ignoring
// ASCII case, without allocating.
func containsFold(s, needle string) bool {
	n := len(needle)
	for i := 0; i+n <= len(s); i++ {
		j := 0
		for ; j < n; j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != needle[j] {
				break
			}
		}
		if j == n {
			return true
		}
	}
	return false
}

// Sizes returns the number of entries of each list (for reports and tests).
func Sizes() (tlds, freeDNSZones, issuers int) {
	l := load()
	return len(l.tlds), len(l.freeDNS), len(l.issuers)
}
