package capture

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/network/tlsinfo"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// ovpnPkt builds an OpenVPN control packet (see package openvpn): opcode,
// session id, tls-auth (an HMAC of hmac bytes, replay id and time), acks,
// message id, payload.
func ovpnPkt(op byte, sid uint64, hmac int, acks int, msg uint32, payload []byte) []byte {
	b := binary.BigEndian.AppendUint64([]byte{op << 3}, sid)
	if hmac > 0 {
		b = append(b, bytes.Repeat([]byte{0x5a}, hmac)...)
		b = binary.BigEndian.AppendUint32(b, msg+1)
		b = binary.BigEndian.AppendUint32(b, 0x5e3e7b98)
	}
	b = append(b, byte(acks))
	for i := range acks {
		b = binary.BigEndian.AppendUint32(b, uint32(i))
	}
	if acks > 0 {
		b = binary.BigEndian.AppendUint64(b, ^sid)
	}
	b = binary.BigEndian.AppendUint32(b, msg)
	return append(b, payload...)
}

// ovpnSession gives the client's and the server's packets of an OpenVPN
// handshake: the resets, then the ClientHello and the server's flight cut
// into control packets of 100 bytes, with acks, a retransmission and two
// packets swapped.
func ovpnSession(hmac int, ch, flight []byte) (client, server [][]byte) {
	client = append(client, ovpnPkt(7, 1, hmac, 0, 0, nil))
	server = append(server, ovpnPkt(8, 2, hmac, 1, 0, nil))
	cut := func(sid uint64, b []byte) (ps [][]byte) {
		for i, off := uint32(1), 0; off < len(b); i, off = i+1, off+100 {
			ps = append(ps, ovpnPkt(4, sid, hmac, int(i%2), i, b[off:min(off+100, len(b))]))
		}
		return ps
	}
	client = append(client, cut(1, ch)...)
	ack := ovpnPkt(5, 1, hmac, 2, 0, nil)
	client = append(client, ack[:len(ack)-4]) // P_ACK_V1: acks, no message
	s := cut(2, flight)
	s[1], s[2] = s[2], s[1]     // reordered
	s = append(s[:4], s[3:]...) // a retransmission
	server = append(server, s...)
	return client, server
}

// TestTLSInsideOpenVPN: the TLS handshake inside OpenVPN's control
// channel, over TCP and UDP, with and without tls-auth, is read across the
// framing: the ClientHello's JA3 is the one of the same hello sent over
// plain TLS, and the server's chain is read and hashed; a control channel
// no known layout reads (tls-crypt) gives no fingerprint at all (nDPI's
// openvpn captures in the differential suite).
func TestTLSInsideOpenVPN(t *testing.T) {
	chMsg := netgen.ClientHelloMsg(netgen.Hello{Ciphers: []uint16{0xc02f, 0x009e, 0x0033}})
	ch := netgen.Record(chMsg)
	parsed, err := tlsinfo.ParseClientHello(chMsg)
	if err != nil {
		t.Fatal(err)
	}
	wantJA3 := tlsinfo.JA3(parsed)
	cert := netgen.Cert("vpn.example", []string{"vpn.example"}, "")
	flight := bytes.Join([][]byte{netgen.Record(netgen.ServerHelloMsg(netgen.ServerHelloOptions{})),
		netgen.Record(netgen.CertificateMsg(cert)), netgen.Record(netgen.ServerHelloDoneMsg())}, nil)
	for _, tcp := range []bool{true, false} {
		for _, hmac := range []int{0, 20, 32} {
			client, server := ovpnSession(hmac, ch, flight)
			name := map[bool]string{true: "tcp", false: "udp"}[tcp]
			res := analyzeBytes(t, ovpnCapture(t, tcp, client, server))
			if len(res.TLS) != 1 {
				t.Fatalf("%s hmac %d: TLS records %+v", name, hmac, res.TLS)
			}
			r := res.TLS[0]
			if r.JA3 != wantJA3 || len(r.Certificates) != 1 || r.Certificates[0].Subject != "CN=vpn.example" || !strings.Contains(r.Preamble, "openvpn") {
				t.Errorf("%s hmac %d: record %+v, want JA3 %s", name, hmac, r, wantJA3)
			}
			if obs(res, KindTLSCert, netgenSHA1(cert)) == nil {
				t.Errorf("%s hmac %d: certificate not observed", name, hmac)
			}
			for _, f := range res.Findings {
				if f.MessageMsg.Key == "net.tls_port.title" {
					t.Errorf("%s hmac %d: TLS on OpenVPN's own port taken for an odd port", name, hmac)
				}
			}
		}
	}
	// tls-crypt: every control packet after the session id is encrypted;
	// here the ClientHello's bytes sit behind an unknown 100-byte prefix.
	// Nothing may be read as TLS, though the bytes hold a whole record.
	for _, tcp := range []bool{true, false} {
		client, server := ovpnSession(100, ch, flight)
		res := analyzeBytes(t, ovpnCapture(t, tcp, client, server))
		for _, o := range res.Observations {
			if o.Kind == KindJA3 || o.Kind == KindJA4 || o.Kind == KindTLSCert {
				t.Errorf("tcp %v, unknown layout: %v %s recorded", tcp, o.Kind, o.Value)
			}
		}
	}
}

func netgenSHA1(der []byte) string {
	c, err := tlsinfo.ParseCertificateMsg(netgen.CertificateMsg(der))
	if err != nil || len(c) != 1 {
		return ""
	}
	return c[0].SHA1
}

// ovpnCapture writes the packets of both sides, alternating, over TCP
// (each with its length prefix, as segments of 2 packets) or UDP, on port
// 1194.
func ovpnCapture(t testing.TB, tcp bool, client, server [][]byte) []byte {
	t.Helper()
	if !tcp {
		var buf bytes.Buffer
		w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
		g := &netgen.Gen{W: w, Now: netgen.DemoStart}
		c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.94")
		for i := 0; i < max(len(client), len(server)); i++ {
			if i < len(client) {
				g.UDP(c, s, 40000, 1194, client[i])
			}
			if i < len(server) {
				g.UDP(s, c, 1194, 40000, server[i])
			}
		}
		w.Flush()
		return buf.Bytes()
	}
	frame := func(ps [][]byte) (segs [][]byte) {
		for i, p := range ps {
			b := append(binary.BigEndian.AppendUint16(nil, uint16(len(p))), p...)
			if i == 0 || i%2 == 1 || len(segs) == 0 {
				segs = append(segs, b) // the reset alone, then two packets a segment
			} else {
				segs[len(segs)-1] = append(segs[len(segs)-1], b...)
			}
		}
		return segs
	}
	cs, ss := frame(client), frame(server)
	segs := []segment{{false, 1000, 0, netgen.SYN, ""}, {true, 5000, 1001, netgen.SYN | netgen.ACK, ""}}
	cseq, sseq := uint32(1001), uint32(5001)
	for i := 0; i < max(len(cs), len(ss)); i++ {
		if i < len(cs) {
			segs = append(segs, segment{false, cseq, sseq, netgen.PSH | netgen.ACK, string(cs[i])})
			cseq += uint32(len(cs[i]))
		}
		if i < len(ss) {
			segs = append(segs, segment{true, sseq, cseq, netgen.PSH | netgen.ACK, string(ss[i])})
			sseq += uint32(len(ss[i]))
		}
	}
	return rawTCP(t, 1194, segs...)
}

// TestDNSOverTCPNotOpenVPN: a DNS query over TCP whose ID starts with the
// byte of OpenVPN's client reset (both have a 2-byte length first) is read
// as DNS.
func TestDNSOverTCPNotOpenVPN(t *testing.T) {
	for _, id := range []uint16{0x3800, 0x5000, 0x0800} {
		q := netgen.DNSQuery(id, "not-openvpn.example", 1)
		msg := append(binary.BigEndian.AppendUint16(nil, uint16(len(q))), q...)
		res := analyzeBytes(t, rawTCP(t, 5300,
			segment{false, 1000, 0, netgen.SYN, ""},
			segment{true, 5000, 1001, netgen.SYN | netgen.ACK, ""},
			segment{false, 1001, 5001, netgen.PSH | netgen.ACK, string(msg)}))
		if findDNS(res, "not-openvpn.example") == nil {
			t.Errorf("id %#04x: DNS over TCP not read", id)
		}
	}
}

// TestTLSInsideOpenVPNMidway: a capture that starts after OpenVPN's resets
// (no hard reset to learn the layout from) still reads the ClientHello
// through OpenVPN's framing when a TLS record is found inside a control
// packet, even one split over several packets: the JA3 is the hello's own,
// never one of bytes mixed with OpenVPN's headers.
func TestTLSInsideOpenVPNMidway(t *testing.T) {
	chMsg := netgen.ClientHelloMsg(netgen.Hello{SNI: "midway.example", Ciphers: []uint16{0xc02f, 0x009e}, Padding: 200})
	parsed, err := tlsinfo.ParseClientHello(chMsg)
	if err != nil {
		t.Fatal(err)
	}
	cert := netgen.Cert("midway.example", nil, "")
	flight := bytes.Join([][]byte{netgen.Record(netgen.ServerHelloMsg(netgen.ServerHelloOptions{})),
		netgen.Record(netgen.CertificateMsg(cert)), netgen.Record(netgen.ServerHelloDoneMsg())}, nil)
	for _, hmac := range []int{0, 20, 64} {
		client, server := ovpnSession(hmac, netgen.Record(chMsg), flight)
		res := analyzeBytes(t, ovpnCapture(t, true, client[1:], server[1:]))
		var ja3s []string
		for _, o := range res.Observations {
			if o.Kind == KindJA3 {
				ja3s = append(ja3s, o.Value)
			}
		}
		if len(ja3s) != 1 || ja3s[0] != tlsinfo.JA3(parsed) {
			t.Errorf("hmac %d: JA3 %q, want only %s", hmac, ja3s, tlsinfo.JA3(parsed))
		}
		if obs(res, KindTLSCert, netgenSHA1(cert)) == nil {
			t.Errorf("hmac %d: certificate not read", hmac)
		}
	}
}
