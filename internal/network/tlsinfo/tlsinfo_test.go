package tlsinfo_test

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/network/tlsinfo"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func TestClientHelloFingerprints(t *testing.T) {
	msg := netgen.ClientHelloMsg(netgen.Hello{SNI: "Example.COM", ALPN: []string{"h2", "http/1.1"}, TLS13: true, GREASE: true})
	ch, err := tlsinfo.ParseClientHello(msg)
	if err != nil {
		t.Fatal(err)
	}
	if ch.SNI != "Example.COM" || !slices.Equal(ch.ALPN, []string{"h2", "http/1.1"}) ||
		!slices.Equal(ch.Versions, []uint16{0x0304, 0x0303}) || len(ch.Ciphers) != 10 || ch.Extensions[0] != 0x1a1a {
		t.Fatalf("parsed %+v", ch)
	}
	// Expected values computed independently (Python hashlib) from the
	// public JA3 and JA4 definitions; GREASE cipher and extension removed.
	if got := tlsinfo.JA3String(ch); got != "771,4865-4866-4867-49195-49199-49196-49200-52393-52392,0-10-11-13-16-43,29-23-24,0" {
		t.Errorf("JA3 string %s", got)
	}
	if got := tlsinfo.JA3(ch); got != "de5c5874f531ff160b16d979a3c41adf" {
		t.Errorf("JA3 %s", got)
	}
	if got := tlsinfo.JA4(ch, 't'); got != "t13d0906h2_f91f431d341e_64360b09012c" {
		t.Errorf("JA4 %s", got)
	}
	if got := tlsinfo.JA4(ch, 'q'); got[0] != 'q' {
		t.Errorf("QUIC JA4 %s", got)
	}
}

func TestJA4Edges(t *testing.T) {
	tests := []struct {
		h    netgen.Hello
		want string // JA4_a
	}{
		{netgen.Hello{}, "t12i0903"},
		{netgen.Hello{ALPN: []string{"\xab\xcd"}}, "t12i0904ad"},
		{netgen.Hello{ALPN: []string{"h"}, SNI: "x"}, "t12d0905hh"},
	}
	for _, tc := range tests {
		ch, err := tlsinfo.ParseClientHello(netgen.ClientHelloMsg(tc.h))
		if err != nil {
			t.Fatal(err)
		}
		got := tlsinfo.JA4(ch, 't')
		if tc.h.ALPN == nil {
			tc.want += "00"
		}
		if got[:10] != tc.want {
			t.Errorf("%+v: JA4 %s, want prefix %s", tc.h, got, tc.want)
		}
	}
	empty := &tlsinfo.ClientHello{LegacyVersion: 0x0303}
	if got := tlsinfo.JA4(empty, 't'); got != "t12i000000_000000000000_000000000000" {
		t.Errorf("empty JA4 %s", got)
	}
}

func TestLyingLengths(t *testing.T) {
	msg := netgen.ClientHelloMsg(netgen.Hello{SNI: "a.example", ALPN: []string{"h2"}})
	for i := 1; i < len(msg); i++ {
		if _, err := tlsinfo.ParseClientHello(msg[:i]); err == nil {
			t.Fatalf("truncated at %d parsed", i)
		}
	}
	bad := append([]byte(nil), msg...)
	bad[1], bad[2], bad[3] = 0xff, 0xff, 0xff
	if _, err := tlsinfo.ParseClientHello(bad); !errors.Is(err, tlsinfo.ErrShort) {
		t.Errorf("lying length: %v", err)
	}
	if _, err := tlsinfo.ParseClientHello([]byte{2, 0, 0, 0}); !errors.Is(err, tlsinfo.ErrNotHello) {
		t.Errorf("ServerHello as ClientHello: %v", err)
	}
}

func TestHandshakesAcrossRecords(t *testing.T) {
	msg := netgen.ClientHelloMsg(netgen.Hello{SNI: "split.example", Padding: 600})
	// split the message over three records, as tls-client-hello-frag does
	var data []byte
	for _, part := range [][]byte{msg[:100], msg[100:400], msg[400:]} {
		data = append(data, 22, 3, 1, byte(len(part)>>8), byte(len(part)))
		data = append(data, part...)
	}
	for cut := 0; cut < len(data); cut += 97 {
		msgs, _, err := tlsinfo.Handshakes(data[:cut], 4)
		if err != nil || len(msgs) != 0 {
			t.Fatalf("prefix %d: %d messages, %v", cut, len(msgs), err)
		}
	}
	msgs, _, err := tlsinfo.Handshakes(data, 4)
	if err != nil || len(msgs) != 1 || !bytes.Equal(msgs[0], msg) {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	if _, _, err := tlsinfo.Handshakes([]byte("GET / HTTP/1.1\r\n"), 4); !errors.Is(err, tlsinfo.ErrNotTLS) {
		t.Errorf("HTTP as TLS: %v", err)
	}
}

func TestCertificate(t *testing.T) {
	self := netgen.Cert("evil.example", []string{"evil.example", "www.evil.example"}, "")
	issued := netgen.Cert("ok.example", []string{"ok.example"}, "Let's Encrypt R11")
	rec := netgen.ServerFlight(self, issued)
	msgs, complete, err := tlsinfo.Handshakes(rec, 8)
	if err != nil || len(msgs) != 3 || complete {
		t.Fatalf("%d messages complete=%v err=%v", len(msgs), complete, err)
	}
	sh, err := tlsinfo.ParseServerHello(msgs[0])
	if err != nil || sh.Version != 0x0303 || sh.Cipher != 0xc02f {
		t.Fatalf("server hello %+v %v", sh, err)
	}
	certs, err := tlsinfo.ParseCertificateMsg(msgs[1])
	if err != nil || len(certs) != 2 {
		t.Fatalf("%d certs, %v", len(certs), err)
	}
	if !certs[0].SelfSigned || certs[1].SelfSigned || certs[0].Subject != "CN=evil.example" ||
		!slices.Equal(certs[0].SANs, []string{"evil.example", "www.evil.example"}) || len(certs[0].SHA1) != 40 || len(certs[0].SHA256) != 64 {
		t.Errorf("certs %+v", certs)
	}
	if certs[1].Issuer != "CN=Let's Encrypt R11,O=Let's Encrypt R11" {
		t.Errorf("issuer %q", certs[1].Issuer)
	}
	garbage := tlsinfo.Describe([]byte("not DER"))
	if garbage.ParseError == "" || garbage.SHA256 == "" {
		t.Errorf("garbage cert %+v", garbage)
	}
}

func BenchmarkParseClientHello(b *testing.B) {
	msg := netgen.ClientHelloMsg(netgen.Hello{SNI: "example.com", ALPN: []string{"h2"}, TLS13: true, GREASE: true})
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		ch, _ := tlsinfo.ParseClientHello(msg)
		_ = tlsinfo.JA4(ch, 't')
	}
}

func FuzzParseClientHello(f *testing.F) {
	f.Add(netgen.ClientHelloMsg(netgen.Hello{SNI: "a.example", ALPN: []string{"h2"}, TLS13: true, GREASE: true}))
	f.Add(netgen.ClientHelloMsg(netgen.Hello{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ch, err := tlsinfo.ParseClientHello(b)
		if err == nil {
			_ = tlsinfo.JA3(ch)
			_ = tlsinfo.JA4(ch, 'q')
		}
	})
}

func FuzzHandshakes(f *testing.F) {
	f.Add(netgen.ServerFlight(netgen.Cert("a", nil, "")))
	f.Add(netgen.ClientHello(netgen.Hello{SNI: "x"}))
	f.Fuzz(func(t *testing.T, b []byte) {
		msgs, _, _ := tlsinfo.Handshakes(b, 8)
		for _, m := range msgs {
			switch m[0] {
			case tlsinfo.TypeServerHello:
				_, _ = tlsinfo.ParseServerHello(m)
			case tlsinfo.TypeCertificate:
				_, _ = tlsinfo.ParseCertificateMsg(m)
			}
		}
	})
}
