package preamble

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strconv"
)

// Client recognises the preamble from the first bytes a client sent to
// server port port. It returns None when the stream starts otherwise (TLS
// itself, HTTP, or anything else), and the protocol's name.
func Client(b []byte, port uint16) (Kind, string) {
	switch {
	case len(b) >= 8 && bytes.Equal(b[:8], pgSSLRequest):
		return PostgreSQL, "postgresql"
	case len(b) >= 3 && b[0] == 5 && b[1] >= 1 && int(b[1]) <= 16 && len(b) >= 2+int(b[1]) && socks5Methods(b[2:2+int(b[1])]):
		return SOCKS5, "socks5"
	case len(b) >= 9 && b[0] == 4 && b[1] == 1:
		return SOCKS4, "socks4"
	case isLDAP(b):
		return LDAP, "ldap"
	}
	if len(b) == 0 || !isText(b[0]) {
		return None, ""
	}
	line := firstLine(b)
	cmd := bytes.ToUpper(firstWord(line))
	switch {
	case eqAny(cmd, "EHLO", "HELO"):
		return Text, "smtp"
	case bytes.HasPrefix(line, []byte("<?xml")) || bytes.HasPrefix(line, []byte("<stream:stream")):
		return Text, "xmpp"
	case eqAny(cmd, "CAPA", "STLS", "APOP"):
		return Text, "pop3"
	case eqAny(cmd, "AUTH", "FEAT", "SYST", "USER", "PASS"):
		if port == 110 || port == 995 {
			return Text, "pop3"
		}
		return Text, "ftp"
	case eqAny(cmd, "CAP", "NICK"):
		return Text, "irc"
	case isIMAPCommand(line):
		return Text, "imap"
	case eqAny(cmd, "STARTTLS"):
		return Text, portProto(port)
	}
	if p := portProto(port); p != "" && p != "text" {
		return Text, p
	}
	return None, ""
}

// Server recognises a text protocol from the banner a server sent first.
func Server(b []byte, port uint16) (Kind, string) {
	line := firstLine(b)
	switch {
	case bytes.HasPrefix(line, []byte("220 ")) || bytes.HasPrefix(line, []byte("220-")):
		u := bytes.ToUpper(line)
		if bytes.Contains(u, []byte("FTP")) || port == 21 {
			return Text, "ftp"
		}
		return Text, "smtp"
	case bytes.HasPrefix(line, []byte("* OK")):
		return Text, "imap"
	case bytes.HasPrefix(line, []byte("+OK")):
		return Text, "pop3"
	case bytes.HasPrefix(line, []byte("<?xml")) || bytes.HasPrefix(line, []byte("<stream:stream")):
		return Text, "xmpp"
	}
	return None, ""
}

// portProto names the text protocol usually found on a server port.
func portProto(port uint16) string {
	switch port {
	case 25, 587, 2525:
		return "smtp"
	case 143:
		return "imap"
	case 110:
		return "pop3"
	case 21:
		return "ftp"
	case 5222, 5269:
		return "xmpp"
	case 6667:
		return "irc"
	case 119, 433:
		return "nntp"
	case 4190:
		return "sieve"
	}
	return ""
}

// StandardPort reports whether port is the usual one for proto, so that
// TLS on it after a preamble is not "TLS on an unusual port".
func StandardPort(proto string, port uint16) bool {
	return portProto(port) == proto || proto == "ldap" && (port == 389 || port == 3268) || proto == "postgresql" && port == 5432
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		b = b[:i]
	}
	if len(b) > 512 {
		b = b[:512]
	}
	return bytes.TrimRight(b, "\r")
}

func firstWord(line []byte) []byte {
	if i := bytes.IndexByte(line, ' '); i >= 0 {
		return line[:i]
	}
	return line
}

func eqAny(w []byte, vs ...string) bool {
	for _, v := range vs {
		if string(w) == v {
			return true
		}
	}
	return false
}

// isIMAPCommand: a tag (letters and digits) then a known IMAP command.
func isIMAPCommand(line []byte) bool {
	tag, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok || len(tag) == 0 || len(tag) > 32 {
		return false
	}
	for _, c := range tag {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '.') {
			return false
		}
	}
	return eqAny(bytes.ToUpper(firstWord(rest)), "CAPABILITY", "STARTTLS", "LOGIN", "ID", "AUTHENTICATE", "NOOP")
}

func socks5Methods(m []byte) bool {
	for _, c := range m {
		if c > 9 && c < 0x80 { // assigned methods are 0-9; private ones 0x80-0xfe
			return false
		}
	}
	return true
}

// isLDAP: an LDAPMessage SEQUENCE whose message ID (an INTEGER) is followed
// by an application-class protocol operation.
func isLDAP(b []byte) bool {
	if len(b) < 7 || b[0] != 0x30 {
		return false
	}
	_, w, ok := berLen(b[1:])
	if !ok || len(b) < 1+w+3 {
		return false
	}
	id := b[1+w:]
	if id[0] != 0x02 || id[1] == 0 || id[1] > 4 || len(id) < 2+int(id[1])+1 {
		return false
	}
	op := id[2+int(id[1])]
	return op&0xc0 == 0x40 // [APPLICATION n]
}

// ProxyHeader reads a HAProxy PROXY protocol header (v1 or v2) at the start
// of b. It returns its length, the original connection's source and
// destination (invalid for LOCAL or UNKNOWN), and NeedMore, Found (a header
// was read) or NotTLS (b does not start with one).
func ProxyHeader(b []byte) (n int, src, dst netip.AddrPort, st Status) {
	if len(b) >= 6 && bytes.Equal(b[:6], []byte("PROXY ")) {
		end := bytes.Index(b, []byte("\r\n"))
		if end < 0 {
			if len(b) > 107 {
				return 0, src, dst, NotTLS
			}
			return 0, src, dst, NeedMore
		}
		f := bytes.Fields(b[6:end])
		if len(f) == 5 && (string(f[0]) == "TCP4" || string(f[0]) == "TCP6") {
			sa, e1 := netip.ParseAddr(string(f[1]))
			da, e2 := netip.ParseAddr(string(f[2]))
			sp, e3 := strconv.ParseUint(string(f[3]), 10, 16)
			dp, e4 := strconv.ParseUint(string(f[4]), 10, 16)
			if e1 == nil && e2 == nil && e3 == nil && e4 == nil {
				src, dst = netip.AddrPortFrom(sa, uint16(sp)), netip.AddrPortFrom(da, uint16(dp))
			}
		}
		return end + 2, src, dst, Found
	}
	sig := []byte("\r\n\r\n\x00\r\nQUIT\n")
	if len(b) < len(sig) {
		if len(b) > 0 && bytes.HasPrefix(sig, b) {
			return 0, src, dst, NeedMore
		}
		return 0, src, dst, NotTLS
	}
	if !bytes.Equal(b[:12], sig) {
		return 0, src, dst, NotTLS
	}
	if len(b) < 16 {
		return 0, src, dst, NeedMore
	}
	if b[12]>>4 != 2 {
		return 0, src, dst, NotTLS
	}
	l := int(binary.BigEndian.Uint16(b[14:]))
	if len(b) < 16+l {
		return 0, src, dst, NeedMore
	}
	a := b[16 : 16+l]
	if b[12]&0x0f == 1 { // PROXY (not LOCAL)
		switch b[13] >> 4 {
		case 1: // AF_INET
			if len(a) >= 12 {
				src = netip.AddrPortFrom(netip.AddrFrom4([4]byte(a[0:4])), binary.BigEndian.Uint16(a[8:]))
				dst = netip.AddrPortFrom(netip.AddrFrom4([4]byte(a[4:8])), binary.BigEndian.Uint16(a[10:]))
			}
		case 2: // AF_INET6
			if len(a) >= 36 {
				src = netip.AddrPortFrom(netip.AddrFrom16([16]byte(a[0:16])), binary.BigEndian.Uint16(a[32:]))
				dst = netip.AddrPortFrom(netip.AddrFrom16([16]byte(a[16:32])), binary.BigEndian.Uint16(a[34:]))
			}
		}
	}
	return 16 + l, src, dst, Found
}
