// Package preamble owns finding where TLS starts in a TCP stream that opens
// with another protocol: STARTTLS in text protocols (SMTP, IMAP, POP3, FTP,
// XMPP, IRC and any other line or XML protocol), LDAP's StartTLS extended
// operation, PostgreSQL's SSLRequest, HTTP CONNECT, SOCKS4/4a/5, and the
// HAProxy PROXY header (v1 text, v2 binary) that load balancers put before
// any protocol. It reads both directions, bounded, and names the target of
// a CONNECT or SOCKS request so that it can be checked against indicators.
package preamble

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"strconv"
)

// Kind of preamble.
type Kind uint8

// Preamble kinds.
const (
	None        Kind = iota
	Text             // a text protocol that may switch to TLS (STARTTLS, STLS, AUTH TLS)
	LDAP             // BER-encoded LDAP messages, StartTLS extended operation
	PostgreSQL       // SSLRequest, then 'S'
	HTTPConnect      // CONNECT request head, then a 2xx response head
	SOCKS4           // SOCKS4 or 4a request, then an 8-byte reply
	SOCKS5           // greeting, optional user/password, request; and the replies
)

// Status of a scan.
type Status uint8

// Scan outcomes.
const (
	NeedMore Status = iota // no decision yet: more bytes needed
	Found                  // TLS starts after the consumed bytes
	NotTLS                 // the stream does not switch to TLS (or the preamble is malformed)
	End                    // a tunnel's preamble (CONNECT, SOCKS) is over and something else than TLS follows
)

// MaxPreamble bounds the bytes read per direction before TLS starts.
const MaxPreamble = 64 << 10

// Scanner reads one direction of a stream until TLS starts. The zero value
// is ready; it keeps the little state a preamble needs between calls.
type Scanner struct {
	Host  string // CONNECT or SOCKS target host (name or address), client side
	Port  uint16 // and port
	read  int    // preamble bytes consumed so far
	stage uint8  // position in a multi-message preamble (SOCKS5)
	auth  bool   // SOCKS5: the client offered user/password
}

// Feed reads b, the next unread bytes of one direction of a stream whose
// preamble is of kind k (client says which direction). It returns how many
// bytes the caller may discard (all preamble) and whether TLS starts right
// after them.
func (s *Scanner) Feed(k Kind, client bool, b []byte) (int, Status) {
	var n int
	var st Status
	switch k {
	case Text:
		n, st = s.text(b, client)
	case LDAP:
		n, st = s.ber(b, client)
	case PostgreSQL:
		n, st = s.postgres(b, client)
	case HTTPConnect:
		n, st = s.connect(b, client)
	case SOCKS4:
		n, st = s.socks4(b, client)
	case SOCKS5:
		n, st = s.socks5(b, client)
	default:
		return 0, NotTLS
	}
	s.read += n
	if st == NeedMore && s.read > MaxPreamble {
		return n, NotTLS
	}
	return n, st
}

// tlsStart says whether b starts with a TLS handshake record carrying a
// ClientHello (client) or ServerHello.
func tlsStart(b []byte, client bool) Status {
	want := byte(2)
	if client {
		want = 1
	}
	pattern := [3]byte{0x16, 0x03}
	for i := 0; i < len(b) && i < 6; i++ {
		switch i {
		case 0, 1:
			if b[i] != pattern[i] {
				return NotTLS
			}
		case 2:
			if b[i] > 4 {
				return NotTLS
			}
		case 4:
			if l := int(b[3])<<8 | int(b[4]); l < 4 || l > 18432 {
				return NotTLS
			}
		case 5:
			if b[i] != want {
				return NotTLS
			}
		}
	}
	if len(b) < 6 {
		return NeedMore
	}
	return Found
}

func isText(c byte) bool { return c >= 0x20 && c != 0x7f || c == '\r' || c == '\n' || c == '\t' }

// text consumes text (printable bytes, line ends, tabs, UTF-8) until the
// first other byte, which must start the TLS record.
func (s *Scanner) text(b []byte, client bool) (int, Status) {
	i := 0
	for i < len(b) && isText(b[i]) {
		i++
	}
	if i == len(b) {
		return i, NeedMore
	}
	return i, tlsStart(b[i:], client)
}

// berLen reads a BER definite length at b; it returns the length, the bytes
// it took, and false when b is too short or the form is not definite.
func berLen(b []byte) (int, int, bool) {
	if len(b) < 1 {
		return 0, 0, false
	}
	if b[0] < 0x80 {
		return int(b[0]), 1, true
	}
	n := int(b[0] & 0x7f)
	if n == 0 || n > 4 || len(b) < 1+n {
		return 0, 0, false
	}
	l := 0
	for _, c := range b[1 : 1+n] {
		l = l<<8 | int(c)
	}
	return l, 1 + n, l >= 0
}

// ber consumes whole LDAP messages (BER SEQUENCEs) until a TLS record
// starts.
func (s *Scanner) ber(b []byte, client bool) (int, Status) {
	n := 0
	for n < len(b) {
		if b[n] != 0x30 {
			return n, tlsStart(b[n:], client)
		}
		l, w, ok := berLen(b[n+1:])
		if !ok {
			if len(b)-n-1 < 5 {
				return n, NeedMore
			}
			return n, NotTLS
		}
		end := n + 1 + w + l
		if end > len(b) {
			if l > MaxPreamble {
				return n, NotTLS
			}
			return n, NeedMore
		}
		n = end
	}
	return n, NeedMore
}

// pgSSLRequest is PostgreSQL's SSLRequest: length 8, code 80877103.
var pgSSLRequest = []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}

func (s *Scanner) postgres(b []byte, client bool) (int, Status) {
	if s.stage == 0 {
		need := pgSSLRequest
		if !client {
			need = []byte{'S'}
		}
		if len(b) < len(need) {
			if bytes.HasPrefix(need, b) {
				return 0, NeedMore
			}
			return 0, NotTLS
		}
		if !bytes.Equal(b[:len(need)], need) {
			return 0, NotTLS
		}
		s.stage = 1
		return len(need), tlsStart(b[len(need):], client)
	}
	return 0, tlsStart(b, client)
}

// connect consumes the CONNECT request head (client) or the response head
// (server, which must be 2xx).
func (s *Scanner) connect(b []byte, client bool) (int, Status) {
	if s.stage == 1 {
		return 0, tunnelled(b, client)
	}
	end := bytes.Index(b, []byte("\r\n\r\n"))
	if end < 0 {
		return 0, NeedMore
	}
	line, _, _ := bytes.Cut(b[:end], []byte("\r\n"))
	if client {
		f := bytes.Fields(line)
		if len(f) != 3 || string(f[0]) != "CONNECT" {
			return 0, NotTLS
		}
		s.Host, s.Port = splitHostPort(string(f[1]))
	} else if !bytes.HasPrefix(line, []byte("HTTP/1.")) || len(line) < 12 || line[9] != '2' {
		return 0, NotTLS
	}
	s.stage = 1
	return end + 4, tunnelled(b[end+4:], client)
}

// tunnelled says what follows a tunnel's preamble: TLS, or something else
// (End) that the caller reads as a new stream.
func tunnelled(b []byte, client bool) Status {
	if st := tlsStart(b, client); st != NotTLS {
		return st
	}
	return End
}

// splitHostPort splits "host:port" and "[v6]:port".
func splitHostPort(hp string) (string, uint16) {
	if ap, err := netip.ParseAddrPort(hp); err == nil {
		return ap.Addr().String(), ap.Port()
	}
	i := bytes.LastIndexByte([]byte(hp), ':')
	if i < 0 {
		return hp, 0
	}
	p, err := strconv.ParseUint(hp[i+1:], 10, 16)
	if err != nil {
		return hp, 0
	}
	return hp[:i], uint16(p)
}

// socks4 reads a SOCKS4/4a CONNECT request (version 4, command 1, port,
// address, user ID, and for 4a a host name) or the 8-byte reply (granted:
// 0x5a).
func (s *Scanner) socks4(b []byte, client bool) (int, Status) {
	if s.stage == 1 {
		return 0, tunnelled(b, client)
	}
	if !client {
		if len(b) < 8 {
			return 0, NeedMore
		}
		if b[0] != 0 || b[1] != 0x5a {
			return 0, NotTLS
		}
		s.stage = 1
		return 8, tunnelled(b[8:], client)
	}
	if len(b) < 9 {
		return 0, NeedMore
	}
	if b[0] != 4 || b[1] != 1 {
		return 0, NotTLS
	}
	port := binary.BigEndian.Uint16(b[2:])
	ip := netip.AddrFrom4([4]byte(b[4:8]))
	user := bytes.IndexByte(b[8:], 0)
	if user < 0 {
		return 0, needOrTooLong(len(b))
	}
	n := 8 + user + 1
	s.Host, s.Port = ip.String(), port
	if a := ip.As4(); a[0] == 0 && a[1] == 0 && a[2] == 0 && a[3] != 0 { // 4a: a host name follows
		name := bytes.IndexByte(b[n:], 0)
		if name < 0 {
			return 0, needOrTooLong(len(b))
		}
		s.Host = string(b[n : n+name])
		n += name + 1
	}
	s.stage = 1
	return n, tunnelled(b[n:], client)
}

func needOrTooLong(n int) Status {
	if n > 1024 {
		return NotTLS
	}
	return NeedMore
}

// socks5 reads, client side: the greeting, the user/password
// subnegotiation when offered, and the CONNECT request; server side: the
// method choice, the subnegotiation status, and the reply.
func (s *Scanner) socks5(b []byte, client bool) (int, Status) {
	n := 0
	for {
		rest := b[n:]
		switch {
		case s.stage == 0: // greeting / method choice
			if client {
				if len(rest) < 2 || len(rest) < 2+int(rest[1]) {
					return n, NeedMore
				}
				if rest[0] != 5 {
					return n, NotTLS
				}
				s.auth = bytes.IndexByte(rest[2:2+int(rest[1])], 2) >= 0
				n += 2 + int(rest[1])
			} else {
				if len(rest) < 2 {
					return n, NeedMore
				}
				if rest[0] != 5 || rest[1] == 0xff {
					return n, NotTLS
				}
				s.auth = rest[1] == 2
				n += 2
			}
			s.stage = 1
		case s.stage == 1 && s.auth: // RFC 1929 user/password
			if len(rest) < 2 {
				return n, NeedMore
			}
			if rest[0] != 1 {
				if client && rest[0] == 5 { // no subnegotiation after all
					s.auth = false
					continue
				}
				return n, NotTLS
			}
			if !client {
				if rest[1] != 0 {
					return n, NotTLS
				}
				n += 2
			} else {
				ul := int(rest[1])
				if len(rest) < 3+ul || len(rest) < 3+ul+int(rest[2+ul]) {
					return n, NeedMore
				}
				n += 3 + ul + int(rest[2+ul])
			}
			s.auth = false
		case s.stage == 1: // request / reply
			if len(rest) < 5 {
				return n, NeedMore
			}
			if rest[0] != 5 || (client && rest[1] != 1) || (!client && rest[1] != 0) {
				return n, NotTLS
			}
			var l int
			switch rest[3] {
			case 1:
				l = 4
			case 4:
				l = 16
			case 3:
				l = 1 + int(rest[4])
			default:
				return n, NotTLS
			}
			if len(rest) < 4+l+2 {
				return n, NeedMore
			}
			if client {
				switch rest[3] {
				case 1:
					s.Host = netip.AddrFrom4([4]byte(rest[4:8])).String()
				case 4:
					s.Host = netip.AddrFrom16([16]byte(rest[4:20])).String()
				case 3:
					s.Host = string(rest[5 : 5+int(rest[4])])
				}
				s.Port = binary.BigEndian.Uint16(rest[4+l:])
			}
			n += 4 + l + 2
			s.stage = 2
		default:
			return n, tunnelled(rest, client)
		}
	}
}

// FindTLS returns the offset of the first TLS handshake record in b that
// carries a ClientHello (client), or a ServerHello or a Certificate
// message (server: a capture that starts inside the server's handshake,
// after its ServerHello), or -1: how TLS is found after a preamble of a
// protocol not recognised, or with the start of the connection missing.
func FindTLS(b []byte, client bool) int {
	for off := 0; ; {
		i := bytes.IndexByte(b[off:], 0x16)
		if i < 0 {
			return -1
		}
		off += i
		if len(b)-off >= 9 && handshakeStart(b[off:], client) {
			if l := int(b[off+6])<<16 | int(b[off+7])<<8 | int(b[off+8]); l >= 38 && l <= 128<<10 {
				return off
			}
		}
		off++
	}
}

// handshakeStart reports whether b (at least 9 bytes) starts a handshake
// record that FindTLS looks for. A Certificate message must also hold a
// certificate list whose length is the message's less its own 3 bytes (TLS
// up to 1.2; TLS 1.3 encrypts it), which bytes of another protocol seldom
// match.
func handshakeStart(b []byte, client bool) bool {
	if tlsStart(b, client) == Found {
		return true
	}
	if client || b[5] != typeCertificate {
		return false
	}
	rec := [6]byte(b[:6])
	rec[5] = 2 // the record layer checks of a ServerHello record
	if tlsStart(rec[:], false) != Found || len(b) < 12 {
		return false
	}
	msg := int(b[6])<<16 | int(b[7])<<8 | int(b[8])
	list := int(b[9])<<16 | int(b[10])<<8 | int(b[11])
	return list+3 == msg
}

// typeCertificate is the handshake type of a Certificate message.
const typeCertificate = 11
