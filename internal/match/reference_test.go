package match

// A frozen copy of the URL and domain look-ups as they were before they were
// optimised (2026-12-03): normalisation, URL splitting and the map probes,
// without any pre-filter. TestLookupDifferential compares the optimised
// Index.URL and Index.Domain with it on a large random set; it must not be
// changed to follow the optimised code.

import (
	"net/netip"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
	"golang.org/x/net/idna"
)

func refDomain(ix *Index, host string) []model.Match {
	return refDomainNormalized(ix, refNormalizeHost(host), host)
}

func refNormalizeHost(h string) string {
	h = strings.TrimSpace(h)
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		h = h[1 : len(h)-1]
	}
	for len(h) > 0 && h[len(h)-1] == '.' {
		h = h[:len(h)-1]
	}
	if h == "" {
		return ""
	}
	if refPlainLowerHost(h) {
		return h
	}
	if refIsASCII(h) {
		h = strings.ToLower(h)
		if strings.ContainsAny(h, " \t\r\n/\\@") {
			return ""
		}
		return h
	}
	a, err := idna.Lookup.ToASCII(h)
	if err != nil {
		// Keep a lower-cased form so a malformed name can still equal itself.
		return strings.ToLower(h)
	}
	return a
}

func refPlainLowerHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':') {
			return false
		}
	}
	return true
}

func refIsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func refParseIP(s string) (netip.Addr, bool) {
	if s == "" || !refMayBeIP(s) {
		return netip.Addr{}, false
	}
	if s[0] == '[' {
		s = strings.Trim(s, "[]")
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap().WithZone(""), true
}

func refMayBeIP(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ':' || c == '[' {
			return true
		}
		if c != '.' && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

func refLowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

func refTrimQuery(rest string) string {
	for j := 0; j < len(rest); j++ {
		if rest[j] == '?' || rest[j] == '#' {
			return rest[:j]
		}
	}
	return rest
}

func refSplitURL(raw string) (scheme, host, port, rest string) {
	s := strings.TrimSpace(raw)
	if i := strings.Index(s, "://"); i > 0 && refValidScheme(s[:i]) {
		scheme = refLowerASCII(s[:i])
		s = s[i+3:]
	} else if strings.HasPrefix(s, "//") {
		s = s[2:]
	} else if i := strings.IndexByte(s, ':'); i > 0 && refValidScheme(s[:i]) && !strings.Contains(s[:i], ".") && !refLooksLikePort(s[i+1:]) {
		// "mailto:x@y", "data:..." and other opaque URIs: the part after the colon.
		scheme = refLowerASCII(s[:i])
		s = s[i+1:]
	}
	// One pass over the authority: where it ends, the last '@', the colons,
	// and whether it holds a percent escape.
	end, at, lastColon, colons, pct := len(s), -1, -1, 0, false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '/', '?', '#':
			end = i
		case '@':
			at, lastColon, colons, pct = i, -1, 0, false // userinfo: start again after it
			continue
		case ':':
			lastColon = i
			colons++
			continue
		case '%':
			pct = true
			continue
		default:
			continue
		}
		break
	}
	auth := s[at+1 : end]
	rest = s[end:]
	switch {
	case strings.HasPrefix(auth, "["):
		if j := strings.IndexByte(auth, ']'); j > 0 {
			host = auth[1:j]
			if strings.HasPrefix(auth[j+1:], ":") {
				port = auth[j+2:]
			}
		} else {
			host = auth
		}
	case colons == 1:
		i := lastColon - (at + 1)
		host, port = auth[:i], auth[i+1:]
	default:
		host = auth
	}
	if pct {
		host = refPercentDecode(host)
	}
	return scheme, refNormalizeHost(host), port, rest
}

func refValidScheme(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !('a' <= c && c <= 'z' || i > 0 && ('0' <= s[i] && s[i] <= '9' || s[i] == '+' || s[i] == '-' || s[i] == '.')) {
			return false
		}
	}
	return true
}

func refLooksLikePort(s string) bool {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return n > 0 && (n == len(s) || strings.IndexByte("/?#", s[n]) >= 0)
}

func refPercentDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && refIsHex(s[i+1]) && refIsHex(s[i+2]) {
			b.WriteByte(refUnhex(s[i+1])<<4 | refUnhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func refIsHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func refUnhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

func refNormalizeURL(raw string) string {
	scheme, host, port, _ := refSplitURL(raw)
	if host == "" {
		return ""
	}
	s := strings.TrimSpace(raw)
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	} else {
		s = strings.TrimPrefix(s, "//")
	}
	tail := ""
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		tail = s[i:]
	}
	if i := strings.IndexByte(tail, '#'); i >= 0 {
		tail = tail[:i]
	}
	if tail == "" || tail[0] == '?' {
		tail = "/" + tail
	}
	tail = refDecodeUnreserved(tail)
	if scheme == "" {
		scheme = "http"
	}
	if (scheme == "http" && port == "80") || (scheme == "https" && port == "443") {
		port = ""
	}
	if strings.IndexByte(host, ':') >= 0 {
		host = "[" + host + "]"
	}
	if port != "" {
		host += ":" + port
	}
	return scheme + "://" + host + tail
}

func refDecodeUnreserved(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && refIsHex(s[i+1]) && refIsHex(s[i+2]) {
			c := refUnhex(s[i+1])<<4 | refUnhex(s[i+2])
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
				b.WriteByte(c)
			} else {
				b.WriteByte('%')
				b.WriteByte(refUpperHex(s[i+1]))
				b.WriteByte(refUpperHex(s[i+2]))
			}
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func refUpperHex(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 32
	}
	return c
}

func refDomainNormalized(ix *Index, h, host string) []model.Match {
	if h == "" {
		return nil
	}
	if a, ok := refParseIP(h); ok {
		if e := ix.ips[a]; e != nil {
			return []model.Match{e.match(host, "exact")}
		}
		return nil
	}
	var out []model.Match
	for s := h; ; {
		i := strings.IndexByte(s, '.')
		if i < 0 && !ix.singleLabel && len(s) != len(h) {
			break // a bare TLD is never an indicator unless one was listed
		}
		if e := ix.domains[s]; e != nil {
			how := "exact"
			if len(s) != len(h) {
				how = "subdomain"
			}
			out = append(out, e.match(host, how))
		}
		if i < 0 {
			break
		}
		s = s[i+1:]
	}
	if len(ix.wwwBare) == 0 {
		return out
	}
	if e := ix.wwwBare[h]; e != nil {
		out = append(out, e.match(host, "www-bare"))
	}
	return out
}

func refURL(ix *Index, raw string) []model.Match {
	_, host, _, rest := refSplitURL(raw)
	if host == "" {
		return nil
	}
	out := refDomainNormalized(ix, host, host)
	if len(ix.domainPaths) > 0 {
		if path := refTrimQuery(rest); path != "" {
			out = append(out, refHostPaths(ix, raw, host, path)...)
		}
	}
	if len(ix.urls) > 0 {
		if e := ix.urls[refNormalizeURL(raw)]; e != nil {
			out = append(out, e.match(raw, "exact"))
		}
	}
	return out
}

func refHostPaths(ix *Index, raw, host, path string) []model.Match {
	var out []model.Match
	for s := host; ; {
		for _, pp := range ix.domainPaths[s] {
			if refPathHasPrefix(path, pp.prefix) {
				out = append(out, pp.e.match(raw, "host-path-prefix"))
			}
		}
		i := strings.IndexByte(s, '.')
		if i < 0 {
			return out
		}
		s = s[i+1:]
	}
}

func refPathHasPrefix(p, prefix string) bool {
	if !strings.HasPrefix(p, prefix) {
		return false
	}
	return len(p) == len(prefix) || prefix[len(prefix)-1] == '/' || strings.IndexByte("/?#", p[len(prefix)]) >= 0
}
