// Package httpinfo owns reading HTTP/1.x request heads from the start of a
// client stream: method, target, Host and User-Agent. It reads only the
// head (bounded), never bodies, and never allocates on a non-HTTP payload.
package httpinfo

import (
	"bytes"
	"errors"
	"net/netip"
	"strings"

	"github.com/spyscan/spyscan/internal/network/dissect"
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

// maxMethod is the longest method recognised (BASELINE-CONTROL).
const maxMethod = 16

// knownMethod reports whether m is a request method that HTTP/1.x clients
// send: RFC 9110's, PATCH, WebDAV and its extensions (RFC 4918, 3253, 3648,
// 3744, 4791, 5323, 5842), UPnP's GENA and the few others tshark reads as
// HTTP. An unknown token is not taken for HTTP, so that another text
// protocol (SMTP's EHLO, say) is not read as a request.
func knownMethod(m []byte) bool {
	switch string(m) { // no allocation: the compiler compares in place
	case "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH", "QUERY",
		"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "SEARCH",
		"VERSION-CONTROL", "REPORT", "CHECKOUT", "CHECKIN", "UNCHECKOUT", "MKWORKSPACE", "UPDATE",
		"LABEL", "MERGE", "BASELINE-CONTROL", "MKACTIVITY", "ORDERPATCH", "ACL", "MKCALENDAR",
		"BIND", "UNBIND", "REBIND", "MKREDIRECTREF", "UPDATEREDIRECTREF", "LINK", "UNLINK", "PURGE",
		"NOTIFY", "SUBSCRIBE", "UNSUBSCRIBE", "M-SEARCH", "POLL", "BCOPY", "BMOVE", "BDELETE",
		"BPROPFIND", "BPROPPATCH", "RPC_IN_DATA", "RPC_OUT_DATA", "CCM_POST":
		return true
	}
	return false
}

// skipBlank returns the length of the empty lines (CRLF or bare LF) that
// may precede a request line (RFC 9112 §2.2: a server ignores at least one).
func skipBlank(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}

// method returns the method token that starts b when a space follows it.
func method(b []byte) []byte {
	for i := 0; i < len(b) && i <= maxMethod; i++ {
		c := b[i]
		switch {
		case c == ' ':
			if i == 0 {
				return nil
			}
			return b[:i]
		case c >= 'A' && c <= 'Z', c == '-', c == '_':
		default:
			return nil
		}
	}
	return nil
}

// LooksLikeRequest reports whether b starts with a known HTTP method and a
// space, after any empty lines.
func LooksLikeRequest(b []byte) bool {
	b = b[skipBlank(b):]
	if len(b) < 4 || b[0] < 'A' || b[0] > 'Z' {
		return false
	}
	m := method(b)
	return m != nil && knownMethod(m)
}

// nextLine returns the line that starts b without its end (LF, or CR LF
// as RFC 9112 §2.2 allows a recipient to read a bare LF) and the length
// including the end; ok is false when b holds no line end.
func nextLine(b []byte) (line []byte, n int, ok bool) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, len(b), false
	}
	line = b[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	return line, i + 1, true
}

// ParseRequest reads a request head from b. It returns the request and the
// length read (any empty lines before the request, then the head up to and
// including its empty line).
//
// It reads what tshark and HTTP servers read, not only the strict grammar:
// empty lines before the request line, lines ended by a bare LF, runs of
// spaces between the parts of the request line, a target with spaces in it
// (the version is the last part), and a request line without a target
// ("OPTIONS HTTP/1.1"). A request line without an HTTP version is not
// HTTP/1.x.
func ParseRequest(b []byte) (*Request, int, error) {
	skip := skipBlank(b)
	if skip == len(b) && len(b) < MaxHead {
		return nil, 0, ErrIncomplete
	}
	head := b[skip:]
	if len(head) > MaxHead {
		head = head[:MaxHead]
	}
	if !LooksLikeRequest(head) {
		return nil, 0, ErrNotHTTP
	}
	line, pos, ok := nextLine(head)
	if !ok && len(head) < MaxHead {
		return nil, 0, ErrIncomplete
	}
	r, err := requestLine(line)
	if err != nil {
		return nil, 0, err
	}
	for ok {
		var n int
		line, n, ok = nextLine(head[pos:])
		if !ok && len(head) < MaxHead {
			return nil, 0, ErrIncomplete
		}
		pos += n
		if ok && len(line) == 0 {
			break // the empty line that ends the head
		}
		k, v, found := bytes.Cut(line, []byte(":"))
		if !found {
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
	return r, skip + pos, nil
}

// requestLine reads "method SP target SP version", with runs of spaces
// between the parts, spaces inside the target and no target at all.
func requestLine(line []byte) (*Request, error) {
	m := method(line)
	rest := bytes.Trim(line[len(m):], " ")
	target, version := []byte(nil), rest
	if i := bytes.LastIndexByte(rest, ' '); i >= 0 {
		target, version = bytes.TrimRight(rest[:i], " "), rest[i+1:]
	}
	if !bytes.HasPrefix(version, []byte("HTTP/")) {
		return nil, ErrNotHTTP
	}
	return &Request{Method: string(m), Target: string(target), Version: string(version)}, nil
}

// URL returns the request URL: the absolute target, or http://Host+target.
func (r *Request) URL() string {
	if r.Target == "" || r.Target == "*" { // no target, or the server itself (OPTIONS *)
		if r.Host == "" {
			return ""
		}
		return "http://" + r.Host + "/"
	}
	if r.Target[0] != '/' {
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
	if a, isIP := dissect.ParseAddr(h); isIP {
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
