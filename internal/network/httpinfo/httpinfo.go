// Package httpinfo owns reading HTTP/1.x request heads from the start of a
// client stream: method, target, Host and User-Agent. It reads only the
// head (bounded), never bodies, and never allocates on a non-HTTP payload.
package httpinfo

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"
)

// Request is one HTTP/1.x request head.
type Request struct {
	Method    string `json:"method"`
	Target    string `json:"target"`
	Version   string `json:"version"`
	Host      string `json:"host,omitempty"`
	UserAgent string `json:"user_agent,omitempty"`
}

// Errors.
var (
	ErrIncomplete = errors.New("http: request head incomplete")
	ErrNotHTTP    = errors.New("http: not an HTTP/1.x request")
)

// MaxHead bounds the request head read.
const MaxHead = 16 << 10

var methods = [][]byte{[]byte("GET "), []byte("POST "), []byte("HEAD "), []byte("PUT "),
	[]byte("DELETE "), []byte("OPTIONS "), []byte("CONNECT "), []byte("PATCH "), []byte("TRACE ")}

// LooksLikeRequest reports whether b starts with an HTTP method.
func LooksLikeRequest(b []byte) bool {
	if len(b) < 4 || b[0] < 'A' || b[0] > 'Z' {
		return false
	}
	for _, m := range methods {
		if bytes.HasPrefix(b, m) {
			return true
		}
	}
	return false
}

// ParseRequest reads a request head from b. It returns the request and the
// length of the head (up to and including the blank line).
func ParseRequest(b []byte) (*Request, int, error) {
	if !LooksLikeRequest(b) {
		return nil, 0, ErrNotHTTP
	}
	end := bytes.Index(b, []byte("\r\n\r\n"))
	n := end + 4
	if end < 0 {
		if len(b) < MaxHead {
			return nil, 0, ErrIncomplete
		}
		end, n = len(b), len(b) // parse what we have
	}
	head := b[:end]
	line, rest, _ := bytes.Cut(head, []byte("\r\n"))
	parts := bytes.SplitN(line, []byte(" "), 3)
	if len(parts) != 3 || !bytes.HasPrefix(parts[2], []byte("HTTP/")) {
		return nil, 0, ErrNotHTTP
	}
	r := &Request{Method: string(parts[0]), Target: string(parts[1]), Version: string(parts[2])}
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		k, v, ok := bytes.Cut(l, []byte(":"))
		if !ok {
			continue
		}
		v = bytes.TrimSpace(v)
		switch {
		case bytes.EqualFold(k, []byte("host")) && r.Host == "":
			r.Host = string(v)
		case bytes.EqualFold(k, []byte("user-agent")) && r.UserAgent == "":
			r.UserAgent = string(v)
		}
	}
	return r, n, nil
}

// URL returns the request URL: the absolute target, or http://Host+target.
func (r *Request) URL() string {
	if len(r.Target) > 0 && r.Target[0] != '/' {
		if r.Method == "CONNECT" {
			return ""
		}
		return r.Target
	}
	if r.Host == "" {
		return ""
	}
	return "http://" + r.Host + r.Target
}

// SplitHost reads a Host header value (RFC 9110 §7.2: uri-host and an
// optional port): a host name, an IPv4 address or a bracketed IPv6 literal
// ("[::1]:8000"). It returns the lower-case name, or the address, and false
// when the value is neither (a "[" is never a name).
func SplitHost(h string) (name string, ip netip.Addr, ok bool) {
	h = strings.ToLower(strings.TrimSpace(h))
	if strings.HasPrefix(h, "[") {
		end := strings.IndexByte(h, ']')
		if end < 0 {
			return "", ip, false
		}
		if rest := h[end+1:]; rest != "" && !validPort(rest) {
			return "", ip, false
		}
		a, err := netip.ParseAddr(h[1:end])
		if err != nil || !a.Is6() {
			return "", ip, false
		}
		return "", a, true
	}
	if i := strings.LastIndexByte(h, ':'); i >= 0 {
		if !validPort(h[i:]) {
			return "", ip, false
		}
		h = h[:i]
	}
	if a, err := netip.ParseAddr(h); err == nil {
		return "", a, true
	}
	if h == "" || strings.ContainsAny(h, "[]/@ \t\\\"<>{}|^`") {
		return "", ip, false
	}
	return strings.TrimSuffix(h, "."), ip, true
}

// validPort: ":" followed by 1 to 5 digits (or nothing, which RFC 3986
// allows).
func validPort(s string) bool {
	if s == "" || s[0] != ':' || len(s) > 6 {
		return false
	}
	for _, c := range s[1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
