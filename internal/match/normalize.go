package match

import (
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
)

// NormalizeHost lower-cases a host name, drops trailing dots and IPv6
// brackets, and converts an internationalised name to punycode. It returns ""
// when the host cannot be a DNS name or IP literal.
func NormalizeHost(h string) string {
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
	if plainLowerHost(h) {
		return h
	}
	if isASCII(h) {
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

// plainLowerHost reports whether h holds only [a-z0-9.-_:] so it needs no work.
func plainLowerHost(h string) bool {
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || c == ':') {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// parseIP parses an IP literal (v4, v6, v4-mapped v6) into its canonical
// unmapped form. Host names are rejected cheaply before netip is asked.
func parseIP(s string) (netip.Addr, bool) {
	if s == "" || !mayBeIP(s) {
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

// mayBeIP: an IPv6 literal has a colon; an IPv4 literal only digits and dots.
func mayBeIP(s string) bool {
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

// lowerASCII lower-cases s without allocating when it is already lower case.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			return strings.ToLower(s)
		}
	}
	return s
}

// SplitURL extracts the scheme, host (normalised), port and path of a URL.
// It accepts URLs with or without a scheme ("evil.com/x", "//evil.com"),
// userinfo, ports, IPv6 literals and percent-encoded hosts.
func SplitURL(raw string) (scheme, host, port, path string) {
	scheme, host, port, rest := splitURL(raw)
	return scheme, host, port, trimQuery(rest)
}

// trimQuery cuts a "?query" or "#fragment" off a path.
func trimQuery(rest string) string {
	for j := 0; j < len(rest); j++ {
		if rest[j] == '?' || rest[j] == '#' {
			return rest[:j]
		}
	}
	return rest
}

// splitURL is SplitURL without cutting the query off the path: the look-up
// hot path only needs the path when host/path indicators exist.
func splitURL(raw string) (scheme, host, port, rest string) {
	s := strings.TrimSpace(raw)
	if i := schemeLen(s); i > 0 {
		scheme = lowerASCII(s[:i])
		s = s[i+3:]
	} else if strings.HasPrefix(s, "//") {
		s = s[2:]
	} else if i := strings.IndexByte(s, ':'); i > 0 && validScheme(s[:i]) && !strings.Contains(s[:i], ".") && !looksLikePort(s[i+1:]) {
		// "mailto:x@y", "data:..." and other opaque URIs: the part after the colon.
		scheme = lowerASCII(s[:i])
		s = s[i+1:]
	}
	// One pass over the authority: where it ends, the last '@', the colons,
	// whether it holds a percent escape, and whether it is already in
	// normal form (only [a-z0-9.-_:]).
	end, at, lastColon, colons, pct, plain := len(s), -1, -1, 0, false, true
scan:
	for i := 0; i < len(s); i++ {
		switch authClass[s[i]] {
		case authPlain:
		case authEnd:
			end = i
			break scan
		case authAt:
			at, lastColon, colons, pct, plain = i, -1, 0, false, true // userinfo: start again after it
		case authColon:
			lastColon = i
			colons++
		case authPercent:
			pct = true
		default:
			plain = false
		}
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
		host = percentDecode(host)
	} else if plain && host != "" && host[len(host)-1] != '.' {
		return scheme, host, port, rest // what NormalizeHost would return
	}
	return scheme, NormalizeHost(host), port, rest
}

// Classes of the bytes of a URL's authority, for splitURL's one pass.
const (
	authPlain   = iota // [a-z0-9.-_]: a host in normal form
	authOther          // anything else NormalizeHost must look at
	authEnd            // '/', '?', '#': the authority ends
	authAt             // '@': the userinfo ends
	authColon          // ':'
	authPercent        // '%'
)

var authClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '.', c == '-', c == '_':
			t[c] = authPlain
		case c == '/', c == '?', c == '#':
			t[c] = authEnd
		case c == '@':
			t[c] = authAt
		case c == ':':
			t[c] = authColon
		case c == '%':
			t[c] = authPercent
		default:
			t[c] = authOther
		}
	}
	return t
}()

// schemeLen is the length of the scheme when s starts with "scheme://",
// else 0: what strings.Index(s, "://") and validScheme give, in one short
// pass (the first "://" can only end a valid scheme if every byte before it
// is a scheme byte).
func schemeLen(s string) int {
	n := 0
	for n < len(s) && n <= 32 && (isLetter(s[n]) || n > 0 && ('0' <= s[n] && s[n] <= '9' || s[n] == '+' || s[n] == '-' || s[n] == '.')) {
		n++
	}
	if n > 0 && n <= 32 && strings.HasPrefix(s[n:], "://") {
		return n
	}
	return 0
}

func isLetter(c byte) bool { c |= 0x20; return 'a' <= c && c <= 'z' }

func validScheme(s string) bool {
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

func looksLikePort(s string) bool {
	n := 0
	for n < len(s) && '0' <= s[n] && s[n] <= '9' {
		n++
	}
	return n > 0 && (n == len(s) || strings.IndexByte("/?#", s[n]) >= 0)
}

// percentDecode decodes %XX escapes; invalid escapes are kept as they are.
func percentDecode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// NormalizeURL gives the canonical form used for exact url:value matching:
// lower-case scheme and host, default port dropped, empty path as "/",
// fragment dropped, path percent-escapes decoded where they encode
// unreserved characters.
func NormalizeURL(raw string) string {
	scheme, host, port, _ := SplitURL(raw)
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
	tail = decodeUnreserved(tail)
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

func decodeUnreserved(s string) string {
	if strings.IndexByte(s, '%') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			c := unhex(s[i+1])<<4 | unhex(s[i+2])
			if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
				b.WriteByte(c)
			} else {
				b.WriteByte('%')
				b.WriteByte(upperHex(s[i+1]))
				b.WriteByte(upperHex(s[i+2]))
			}
			i += 2
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func upperHex(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 32
	}
	return c
}
