package capture

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func analyzeBytes(t *testing.T, b []byte) *Result {
	t.Helper()
	res, err := Analyze(context.Background(), bytes.NewReader(b), "t.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// tlsSession writes one TCP connection where each side's records go in the
// given order (client first, then server, then client again).
func tlsSession(t *testing.T, client1, server, client2 []byte) []byte {
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	g := &netgen.Gen{W: w, Now: netgen.DemoStart, MSS: 500}
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.30")
	g.TCPExchange(c, s, 50000, 443, client1, server, client2)
	if g.Err != nil {
		t.Fatal(g.Err)
	}
	w.Flush()
	return buf.Bytes()
}

// TestTLSRecordsBeforeServerHello: a server that sends a warning alert and a
// heartbeat before its ServerHello, and its certificate in a record of its
// own, still has its certificate chain read, hashed and judged.
func TestTLSRecordsBeforeServerHello(t *testing.T) {
	cert := netgen.Cert("evade.example", []string{"evade.example"}, "")
	server := bytes.Join([][]byte{
		netgen.AlertRecord(1, 112),
		netgen.TLSRecord(24, []byte{1, 0, 3, 'a', 'b', 'c'}),
		netgen.Record(netgen.ServerHelloMsg(netgen.ServerHelloOptions{})),
		netgen.AlertRecord(1, 0),
		netgen.Record(netgen.CertificateMsg(cert)),
		netgen.Record(netgen.ServerHelloDoneMsg()),
	}, nil)
	res := analyzeBytes(t, tlsSession(t, netgen.ClientHello(netgen.Hello{SNI: "evade.example"}), server, nil))
	if len(res.TLS) != 1 || len(res.TLS[0].Certificates) != 1 {
		t.Fatalf("TLS records %+v", res.TLS)
	}
	r := res.TLS[0]
	if r.Negotiated != "TLSv1.2" || !slices.Equal(r.Alerts, []string{"server warning 112 (unrecognized_name)", "server warning 0 (close_notify)"}) {
		t.Errorf("record %+v", r)
	}
	if obs(res, KindTLSCert, r.Certificates[0].SHA1) == nil || obs(res, KindTLSCert, r.Certificates[0].SHA256) == nil {
		t.Error("certificate hashes not observed")
	}
	if !slices.ContainsFunc(res.Findings, func(f Finding) bool {
		return strings.Contains(f.Message, "Self-signed TLS certificate \"CN=evade.example\"")
	}) {
		t.Error("self-signed certificate heuristic did not fire")
	}
}

// TestTLSHelloRetry: both ClientHellos of a connection that met a
// HelloRetryRequest are fingerprinted and kept.
func TestTLSHelloRetry(t *testing.T) {
	ch1 := netgen.ClientHello(netgen.Hello{SNI: "retry.example", TLS13: true, ALPN: []string{"h2"}})
	ch2 := netgen.ClientHello(netgen.Hello{SNI: "retry.example", TLS13: true, ALPN: []string{"h2"}, Padding: 32})
	server := bytes.Join([][]byte{
		netgen.Record(netgen.ServerHelloMsg(netgen.ServerHelloOptions{RetryHello: true})),
		netgen.ChangeCipherSpec(),
		netgen.Record(netgen.ServerHelloMsg(netgen.ServerHelloOptions{TLS13: true})),
		netgen.AppData(100),
	}, nil)
	res := analyzeBytes(t, tlsSession(t, ch1, server, append(netgen.ChangeCipherSpec(), ch2...)))
	if len(res.TLS) != 1 {
		t.Fatalf("TLS records %+v", res.TLS)
	}
	r := res.TLS[0]
	if len(r.Fingerprints) != 2 || r.Fingerprints[0].Hello != "first" || r.Fingerprints[1].Hello != "after HelloRetryRequest" ||
		r.Fingerprints[0].JA4 == r.Fingerprints[1].JA4 || r.HelloRetries != 1 || r.Negotiated != "TLSv1.3" || r.Connections != 1 {
		t.Fatalf("record %+v", r)
	}
	for _, fp := range r.Fingerprints {
		if obs(res, KindJA4, fp.JA4) == nil || obs(res, KindJA3, fp.JA3) == nil {
			t.Errorf("fingerprint %+v not observed", fp)
		}
	}
}

// TestTLSGroupKeepsEveryFingerprint: connections to the same server with
// different fingerprints (extension order randomised, as Chrome does) keep
// each of them, with counts.
func TestTLSGroupKeepsEveryFingerprint(t *testing.T) {
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	g := &netgen.Gen{W: w, Now: netgen.DemoStart}
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.31")
	for i, groups := range [][]uint16{{0x1d, 0x17}, {0x17, 0x1d}, {0x1d, 0x17}} {
		g.TCP(c, s, uint16(50000+i), 443, netgen.ClientHello(netgen.Hello{SNI: "group.example", Groups: groups}), nil)
	}
	w.Flush()
	res := analyzeBytes(t, buf.Bytes())
	if len(res.TLS) != 1 || res.TLS[0].Connections != 3 || len(res.TLS[0].Fingerprints) != 2 ||
		res.TLS[0].Fingerprints[0].Count != 2 || res.TLS[0].Fingerprints[1].Count != 1 ||
		res.TLS[0].Fingerprints[0].JA3 == res.TLS[0].Fingerprints[1].JA3 {
		t.Fatalf("records %+v", res.TLS)
	}
}

// TestPublicTLSHandshakes: real captures, values from tshark 4.0.17 and from
// FoxIO's published outputs.
func TestPublicTLSHandshakes(t *testing.T) {
	dir := "../testdata/public"
	t.Run("zeek tls-early-alert", func(t *testing.T) {
		// a warning alert (unrecognized_name) shares the packet of the
		// ServerHello; tshark reads four certificates
		res := analyzeFile(t, filepath.Join(dir, "zeek-tls-early-alert.pcap"))
		if len(res.TLS) != 1 || len(res.TLS[0].Certificates) != 4 {
			t.Fatalf("TLS %+v", res.TLS)
		}
		var sha1s []string
		for _, c := range res.TLS[0].Certificates {
			sha1s = append(sha1s, c.SHA1)
		}
		want := []string{"8ee4b834428a0edc20d5af43f7c844805dbfbc37", "7c4656c3061f7f4c0d67b319a855f60ebc11fc44",
			"de70f4e2116f7fdce75f9d13012b7e687a3b2c62", "317a2ad07f2b335ef5a1c34e4b57e8b7d8f1fca6"}
		if !slices.Equal(sha1s, want) || !slices.Equal(res.TLS[0].Alerts, []string{"server warning 112 (unrecognized_name)"}) {
			t.Errorf("certificates %v alerts %v", sha1s, res.TLS[0].Alerts)
		}
	})
	t.Run("zeek hrr", func(t *testing.T) {
		// tshark: two ClientHellos (frames 4 and 8, the second after
		// ChangeCipherSpec), both JA3 0f14b679807628ec7f9c02cada3ee941
		res := analyzeFile(t, filepath.Join(dir, "zeek-tls-hrr.pcap"))
		if len(res.TLS) != 1 || res.TLS[0].HelloRetries != 1 || len(res.TLS[0].Fingerprints) != 2 {
			t.Fatalf("TLS %+v", res.TLS)
		}
		for _, fp := range res.TLS[0].Fingerprints {
			if fp.JA3 != "0f14b679807628ec7f9c02cada3ee941" || fp.Count != 1 {
				t.Errorf("fingerprint %+v", fp)
			}
		}
	})
	t.Run("foxio tls-non-ascii-alpn", func(t *testing.T) {
		// FoxIO's published output (python/test/testdata and the Rust
		// snapshot): JA4 t13d151699_8daaf6152771_e5627efa2ab1. The written
		// specification gives "bd" for the ALPN bytes 0xba 0xad; both are
		// observed, so an indicator in either form matches.
		res := analyzeFile(t, filepath.Join(dir, "foxio-tls-non-ascii-alpn.pcapng"))
		if len(res.TLS) != 1 || len(res.TLS[0].Fingerprints) != 1 {
			t.Fatalf("TLS %+v", res.TLS)
		}
		fp := res.TLS[0].Fingerprints[0]
		if fp.JA4 != "t13d1516bd_8daaf6152771_e5627efa2ab1" || fp.JA4Reference != "t13d151699_8daaf6152771_e5627efa2ab1" {
			t.Errorf("fingerprint %+v", fp)
		}
		for _, v := range []string{fp.JA4, fp.JA4Reference} {
			if obs(res, KindJA4, v) == nil {
				t.Errorf("%s not observed", v)
			}
		}
	})
}

// TestTLSMidHandshakeStart: a capture that starts inside the server's
// handshake (no SYN, no ClientHello, no ServerHello: nDPI's riot.pcapng),
// at its Certificate record, has the chain read, hashed and judged,
// whether the record comes whole or in segments.
func TestTLSMidHandshakeStart(t *testing.T) {
	cert := netgen.Cert("mid.example", []string{"mid.example"}, "")
	flight := bytes.Join([][]byte{
		netgen.Record(netgen.CertificateMsg(cert)),
		netgen.TLSRecord(22, []byte{12, 0, 0, 4, 3, 0, 23, 0}), // ServerKeyExchange
		netgen.Record(netgen.ServerHelloDoneMsg()),
	}, nil)
	for _, mss := range []int{len(flight), 400, 100} {
		var segs []segment
		for off := 0; off < len(flight); off += mss {
			segs = append(segs, segment{true, 7000 + uint32(off), 1, netgen.ACK, string(flight[off:min(off+mss, len(flight))])})
		}
		res := analyzeBytes(t, rawTCP(t, 443, segs...))
		if len(res.TLS) != 1 || len(res.TLS[0].Certificates) != 1 || res.TLS[0].Certificates[0].Subject != "CN=mid.example" {
			t.Fatalf("segments of %d: TLS records %+v", mss, res.TLS)
		}
		c := res.TLS[0].Certificates[0]
		if obs(res, KindTLSCert, c.SHA1) == nil || obs(res, KindTLSCert, c.SHA256) == nil {
			t.Errorf("segments of %d: certificate hashes not observed", mss)
		}
		if obs(res, KindDomain, "mid.example") == nil {
			t.Errorf("segments of %d: certificate SAN not observed", mss)
		}
	}
}

// TestTLSCertificateCutByCaptureEnd: a capture that ends inside the
// server's Certificate message still has the certificates it holds read:
// the whole ones hashed as usual, the cut one hashed as far as it goes and
// marked partial.
func TestTLSCertificateCutByCaptureEnd(t *testing.T) {
	leaf := netgen.Cert("cut.example", []string{"cut.example"}, "Cut CA")
	ca := netgen.Cert("Cut CA", nil, "")
	flight := bytes.Join([][]byte{netgen.Record(netgen.ServerHelloMsg(netgen.ServerHelloOptions{})),
		netgen.Record(netgen.CertificateMsg(leaf, ca))}, nil)
	flight = flight[:len(flight)-60] // the capture ends 60 bytes before the chain does
	ch := netgen.ClientHello(netgen.Hello{SNI: "cut.example"})
	res := analyzeBytes(t, rawTCP(t, 443,
		segment{false, 1000, 0, netgen.SYN, ""},
		segment{true, 5000, 1001, netgen.SYN | netgen.ACK, ""},
		segment{false, 1001, 5001, netgen.PSH | netgen.ACK, string(ch)},
		segment{true, 5001, 1001 + uint32(len(ch)), netgen.PSH | netgen.ACK, string(flight[:200])},
		segment{true, 5201, 1001 + uint32(len(ch)), netgen.PSH | netgen.ACK, string(flight[200:])}))
	if len(res.TLS) != 1 || len(res.TLS[0].Certificates) != 2 {
		t.Fatalf("TLS records %+v", res.TLS)
	}
	got := res.TLS[0].Certificates
	if got[0].Partial || got[0].Subject != "CN=cut.example" || !got[1].Partial || got[1].ParseError == "" {
		t.Errorf("certificates %+v", got)
	}
	if obs(res, KindTLSCert, got[0].SHA1) == nil || obs(res, KindTLSCert, got[1].SHA1) == nil {
		t.Error("certificate hashes not observed")
	}
	if obs(res, KindDomain, "cut.example") == nil {
		t.Error("the leaf's SAN not observed")
	}
}

// TestSSLv2FormatHello: a client that opens with an SSLv2-format
// ClientHello (Glupteba; Suricata's sslv2-tls-upgrade captures) gets a TLS
// record that names it, no JA3 or JA4 (neither is defined for it: tshark
// and the JA3 reference code give none), and the server's certificate is
// read and checked.
func TestSSLv2FormatHello(t *testing.T) {
	hello := []byte{0x80, 0x2e, 1, 3, 1, 0, 21, 0, 0, 0, 16}
	hello = append(hello, bytes.Repeat([]byte{0x0a}, 21+16)...)
	cert := netgen.Cert("v2.example", []string{"v2.example"}, "Old CA")
	res := analyzeBytes(t, tlsSession(t, hello, netgen.ServerFlight(cert), nil))
	if len(res.TLS) != 1 || len(res.TLS[0].Certificates) != 1 {
		t.Fatalf("TLS records %+v", res.TLS)
	}
	r := res.TLS[0]
	if r.JA3 != "" || r.JA4 != "" || len(r.Fingerprints) != 0 || !slices.Equal(r.Versions, []string{"TLSv1.0 (SSLv2-format ClientHello)"}) || r.Preamble != "" {
		t.Errorf("record %+v", r)
	}
	for _, o := range res.Observations {
		if o.Kind == KindJA3 || o.Kind == KindJA4 {
			t.Errorf("%v %s observed for an SSLv2-format hello", o.Kind, o.Value)
		}
	}
	if obs(res, KindTLSCert, r.Certificates[0].SHA1) == nil {
		t.Error("certificate not observed")
	}
}
