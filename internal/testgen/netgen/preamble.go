package netgen

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// Turn is one side's bytes in a TCP conversation.
type Turn struct {
	FromServer bool
	Data       []byte
}

// TCPTurns writes a TCP session whose sides speak in the given turns (each
// split into MSS segments), then FIN.
func (g *Gen) TCPTurns(client, server netip.Addr, cport, sport uint16, turns ...Turn) {
	cseq, sseq := uint32(1000), uint32(5000)
	g.put(IP(client, server, 6, TCP(cport, sport, cseq, 0, SYN, nil)))
	g.put(IP(server, client, 6, TCP(sport, cport, sseq, cseq+1, SYN|ACK, nil)))
	cseq++
	sseq++
	g.put(IP(client, server, 6, TCP(cport, sport, cseq, sseq, ACK, nil)))
	for _, t := range turns {
		if t.FromServer {
			sseq = g.segments(server, client, sport, cport, sseq, cseq, t.Data)
		} else {
			cseq = g.segments(client, server, cport, sport, cseq, sseq, t.Data)
		}
	}
	g.put(IP(client, server, 6, TCP(cport, sport, cseq, sseq, FIN|ACK, nil)))
	g.put(IP(server, client, 6, TCP(sport, cport, sseq, cseq+1, FIN|ACK, nil)))
}

// C and S build client and server turns.
func C(b []byte) Turn { return Turn{Data: b} }

// S is a server turn.
func S(b []byte) Turn { return Turn{FromServer: true, Data: b} }

// Text is a turn of text.
func Text(s string) []byte { return []byte(s) }

// SOCKS4Request is a SOCKS4 CONNECT request; with a host name it is SOCKS4a.
func SOCKS4Request(host string, port uint16) []byte {
	b := []byte{4, 1}
	b = binary.BigEndian.AppendUint16(b, port)
	if ip, err := netip.ParseAddr(host); err == nil {
		a := ip.As4()
		return append(append(b, a[:]...), 'u', 0)
	}
	b = append(b, 0, 0, 0, 1, 'u', 0)
	return append(append(b, host...), 0)
}

// SOCKS4Granted is the 8-byte SOCKS4 reply granting a request.
func SOCKS4Granted() []byte { return []byte{0, 0x5a, 0, 0, 0, 0, 0, 0} }

// SOCKS5Greeting offers no authentication, or user/password too.
func SOCKS5Greeting(auth bool) []byte {
	if auth {
		return []byte{5, 2, 0, 2}
	}
	return []byte{5, 1, 0}
}

// SOCKS5Choice is the server's method choice.
func SOCKS5Choice(method byte) []byte { return []byte{5, method} }

// SOCKS5UserPass is an RFC 1929 user/password subnegotiation.
func SOCKS5UserPass(user, pass string) []byte {
	b := append([]byte{1, byte(len(user))}, user...)
	return append(append(b, byte(len(pass))), pass...)
}

// SOCKS5Request is a CONNECT request to a host name or address.
func SOCKS5Request(host string, port uint16) []byte {
	b := []byte{5, 1, 0}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Is4() {
			a := ip.As4()
			b = append(append(b, 1), a[:]...)
		} else {
			a := ip.As16()
			b = append(append(b, 4), a[:]...)
		}
	} else {
		b = append(append(b, 3, byte(len(host))), host...)
	}
	return binary.BigEndian.AppendUint16(b, port)
}

// SOCKS5Succeeded is a reply granting a request (bound to 0.0.0.0:0).
func SOCKS5Succeeded() []byte { return []byte{5, 0, 0, 1, 0, 0, 0, 0, 0, 0} }

// PGSSLRequest is PostgreSQL's SSLRequest.
func PGSSLRequest() []byte { return []byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f} }

// LDAPStartTLS is an LDAP ExtendedRequest for StartTLS (message id).
func LDAPStartTLS(id byte) []byte {
	oid := []byte("1.3.6.1.4.1.1466.20037")
	op := append([]byte{0x77, byte(2 + len(oid)), 0x80, byte(len(oid))}, oid...)
	msg := append([]byte{0x02, 0x01, id}, op...)
	return append([]byte{0x30, byte(len(msg))}, msg...)
}

// LDAPStartTLSOK is the success ExtendedResponse to LDAPStartTLS.
func LDAPStartTLSOK(id byte) []byte {
	op := []byte{0x78, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00}
	msg := append([]byte{0x02, 0x01, id}, op...)
	return append([]byte{0x30, byte(len(msg))}, msg...)
}

// ProxyV1 is a HAProxy PROXY protocol v1 header.
func ProxyV1(src, dst netip.AddrPort) []byte {
	fam := "TCP4"
	if src.Addr().Is6() {
		fam = "TCP6"
	}
	return []byte(fmt.Sprintf("PROXY %s %s %s %d %d\r\n", fam, src.Addr(), dst.Addr(), src.Port(), dst.Port()))
}

// ProxyV2 is a HAProxy PROXY protocol v2 header (IPv4 or IPv6, TCP).
func ProxyV2(src, dst netip.AddrPort) []byte {
	b := []byte("\r\n\r\n\x00\r\nQUIT\n")
	b = append(b, 0x21)
	var a []byte
	if src.Addr().Is4() {
		b = append(b, 0x11)
		s, d := src.Addr().As4(), dst.Addr().As4()
		a = append(append(a, s[:]...), d[:]...)
	} else {
		b = append(b, 0x21)
		s, d := src.Addr().As16(), dst.Addr().As16()
		a = append(append(a, s[:]...), d[:]...)
	}
	a = binary.BigEndian.AppendUint16(a, src.Port())
	a = binary.BigEndian.AppendUint16(a, dst.Port())
	a = append(a, 0x04, 0, 1, 0) // a TLV (PP2_TYPE_NOOP), as real headers may carry
	b = binary.BigEndian.AppendUint16(b, uint16(len(a)))
	return append(b, a...)
}
