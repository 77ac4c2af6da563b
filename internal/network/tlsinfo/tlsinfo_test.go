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

// feed runs a Reader over data delivered in chunks of size step, the way a
// TCP stream grows, consuming what it reads; it returns the messages.
func feed(t *testing.T, r *tlsinfo.Reader, data []byte, step int) ([][]byte, error) {
	t.Helper()
	var msgs [][]byte
	var buf []byte
	for off := 0; off < len(data) && !r.Done(); {
		end := min(len(data), off+step)
		buf = append(buf, data[off:end]...)
		off = end
		n, err := r.Feed(buf, func(m []byte) bool {
			msgs = append(msgs, append([]byte(nil), m...))
			return true
		})
		buf = buf[n:]
		if err != nil {
			return msgs, err
		}
	}
	return msgs, nil
}

func TestReaderAcrossRecords(t *testing.T) {
	msg := netgen.ClientHelloMsg(netgen.Hello{SNI: "split.example", Padding: 600})
	// split the message over three records, as tls-client-hello-frag does
	var data []byte
	for _, part := range [][]byte{msg[:100], msg[100:400], msg[400:]} {
		data = append(data, 22, 3, 1, byte(len(part)>>8), byte(len(part)))
		data = append(data, part...)
	}
	for _, step := range []int{1, 7, 97, len(data)} {
		msgs, err := feed(t, &tlsinfo.Reader{}, data, step)
		if err != nil || len(msgs) != 1 || !bytes.Equal(msgs[0], msg) {
			t.Fatalf("step %d: %d messages, %v", step, len(msgs), err)
		}
	}
	if _, err := feed(t, &tlsinfo.Reader{}, []byte("GET / HTTP/1.1\r\n"), 100); !errors.Is(err, tlsinfo.ErrRecord) {
		t.Errorf("HTTP as TLS: %v", err)
	}
}

// TestReaderEveryRecord: alerts, heartbeats and ChangeCipherSpec between
// handshake records do not stop the reader; application data does.
func TestReaderEveryRecord(t *testing.T) {
	cert := netgen.Cert("evil.example", nil, "")
	server := bytes.Join([][]byte{
		netgen.AlertRecord(1, 112), // warning: unrecognized_name, before the ServerHello
		netgen.TLSRecord(24, []byte{1, 0, 3, 'a', 'b', 'c'}),
		netgen.Record(netgen.ServerHelloMsg(netgen.ServerHelloOptions{})),
		netgen.Record(netgen.CertificateMsg(cert)),
		netgen.Record(netgen.ServerHelloDoneMsg()),
		netgen.AppData(40),
		netgen.Record(netgen.ServerHelloDoneMsg()), // after application data: not read
	}, nil)
	r := &tlsinfo.Reader{}
	msgs, err := feed(t, r, server, 50)
	if err != nil {
		t.Fatal(err)
	}
	var types []byte
	for _, m := range msgs {
		types = append(types, m[0])
	}
	if !bytes.Equal(types, []byte{2, 11, 14}) || !r.Done() || len(r.Alerts) != 1 || r.Alerts[0] != (tlsinfo.Alert{Level: 1, Description: 112}) {
		t.Fatalf("messages %v done %v alerts %v", types, r.Done(), r.Alerts)
	}

	// TLS 1.3 client after a HelloRetryRequest: CCS, then a clear second
	// ClientHello, then encrypted records
	ch1 := netgen.ClientHelloMsg(netgen.Hello{SNI: "hrr.example", TLS13: true})
	ch2 := netgen.ClientHelloMsg(netgen.Hello{SNI: "hrr.example", TLS13: true, Padding: 10})
	client := bytes.Join([][]byte{netgen.Record(ch1), netgen.ChangeCipherSpec(), netgen.Record(ch2), netgen.AppData(60)}, nil)
	msgs, err = feed(t, &tlsinfo.Reader{}, client, 33)
	if err != nil || len(msgs) != 2 || !bytes.Equal(msgs[1], ch2) {
		t.Fatalf("client after HRR: %d messages, %v", len(msgs), err)
	}

	// TLS 1.2 client: ClientKeyExchange, CCS, then an encrypted Finished
	// in a handshake record: not a message
	fin := netgen.TLSRecord(22, []byte{0x8e, 0x41, 0x99, 0x02, 0x55, 0x10, 0xaa, 0x3c, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08})
	cke := []byte{16, 0, 0, 4, 3, 1, 2, 3}
	client = bytes.Join([][]byte{netgen.Record(ch1), netgen.Record(cke), netgen.ChangeCipherSpec(), fin, netgen.AppData(20)}, nil)
	r = &tlsinfo.Reader{}
	msgs, err = feed(t, r, client, 1000)
	if err != nil || len(msgs) != 2 || msgs[1][0] != 16 || !r.Done() {
		t.Fatalf("TLS 1.2 client: %d messages, %v", len(msgs), err)
	}
}

func TestServerHelloRetry(t *testing.T) {
	for _, o := range []netgen.ServerHelloOptions{{}, {TLS13: true}, {RetryHello: true}} {
		sh, err := tlsinfo.ParseServerHello(netgen.ServerHelloMsg(o))
		if err != nil {
			t.Fatal(err)
		}
		want := uint16(0x0303)
		if o.TLS13 || o.RetryHello {
			want = 0x0304
		}
		if sh.RetryHello != o.RetryHello || sh.Version != want {
			t.Errorf("%+v: %+v", o, sh)
		}
	}
}

func TestCertificate(t *testing.T) {
	self := netgen.Cert("evil.example", []string{"evil.example", "www.evil.example"}, "")
	issued := netgen.Cert("ok.example", []string{"ok.example"}, "Let's Encrypt R11")
	rec := netgen.ServerFlight(self, issued)
	msgs, err := feed(t, &tlsinfo.Reader{}, rec, len(rec))
	if err != nil || len(msgs) != 3 {
		t.Fatalf("%d messages, err=%v", len(msgs), err)
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

func netgenHello() []byte {
	return netgen.ClientHelloMsg(netgen.Hello{SNI: "example.com", ALPN: []string{"h2"}, TLS13: true, GREASE: true})
}

func BenchmarkParseClientHello(b *testing.B) {
	msg := netgenHello()
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
	f.Add([]byte{0x80, 0x2e, 1, 3, 1, 0, 21, 0, 0, 0, 16})
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, ok := tlsinfo.SSLv2Hello(b); ok && (v > 0x0303 || len(b) < 11) {
			t.Fatalf("SSLv2 hello of version %#x in %d bytes", v, len(b))
		}
		ch, err := tlsinfo.ParseClientHello(b)
		if err == nil {
			checkAgainstReference(t, ch)
		}
	})
}

// FuzzReader feeds arbitrary bytes, in chunks, to the record reader: every
// message it hands out has the length it claims and stays under the bound.
func FuzzReader(f *testing.F) {
	f.Add(netgen.ServerFlight(netgen.Cert("a", nil, "")), uint8(13))
	f.Add(netgen.ClientHello(netgen.Hello{SNI: "x"}), uint8(200))
	f.Add(bytes.Join([][]byte{netgen.AlertRecord(1, 112), netgen.ChangeCipherSpec(), netgen.Record(netgen.ServerHelloMsg(netgen.ServerHelloOptions{RetryHello: true})), netgen.AppData(3)}, nil), uint8(5))
	f.Fuzz(func(t *testing.T, b []byte, step uint8) {
		r := &tlsinfo.Reader{}
		var buf []byte
		for off := 0; off < len(b) && !r.Done(); {
			end := min(len(b), off+1+int(step))
			buf = append(buf, b[off:end]...)
			off = end
			n, _ := r.Feed(buf, func(m []byte) bool {
				if len(m) < 4 || 4+(int(m[1])<<16|int(m[2])<<8|int(m[3])) != len(m) || len(m) > tlsinfo.MaxHandshake+4 {
					t.Fatalf("message of %d bytes claims another length", len(m))
				}
				switch m[0] {
				case tlsinfo.TypeClientHello:
					if ch, err := tlsinfo.ParseClientHello(m); err == nil {
						_, _ = tlsinfo.JA4Forms(ch, 't')
					}
				case tlsinfo.TypeServerHello:
					_, _ = tlsinfo.ParseServerHello(m)
				case tlsinfo.TypeCertificate:
					_, _ = tlsinfo.ParseCertificateMsg(m)
				}
				return true
			})
			if n > len(buf) {
				t.Fatalf("consumed %d of %d bytes", n, len(buf))
			}
			buf = buf[n:]
		}
	})
}

// TestJA4ALPN checks the ALPN part of JA4 against every example of FoxIO's
// written specification (technical_details/JA4.md), and the value FoxIO's
// reference implementation prints for the same bytes (rust/ja4/src/tls.rs
// first_last: a character above 0x7f becomes '9', a missing last character
// '0'; its published output for tls-non-ascii-alpn.pcapng has "99" for the
// bytes 0xba 0xad).
func TestJA4ALPN(t *testing.T) {
	tests := []struct {
		alpn      string
		spec, ref string
	}{
		{"h2", "h2", "h2"},
		{"http/1.1", "h1", "h1"},
		{"h", "hh", "h0"},
		{"", "00", "00"},
		{"\xab", "ab", "90"},
		{"\x20", "20", " 0"},
		{"\xab\xcd", "ad", "99"},
		{"\x20\x61", "21", " a"},
		{"\x30\xab", "3b", "09"},
		{"\x61\x20", "60", "a "},
		{"\x30\x31\xab\xcd", "3d", "09"},
		{"\x30\xab\xcd\x31", "01", "01"},
		{"\xba\xad", "bd", "99"},
	}
	for _, tc := range tests {
		var alpn []string
		if tc.alpn != "" {
			alpn = []string{tc.alpn}
		}
		ch, err := tlsinfo.ParseClientHello(netgen.ClientHelloMsg(netgen.Hello{SNI: "x", ALPN: alpn}))
		if err != nil {
			t.Fatal(err)
		}
		spec, ref := tlsinfo.JA4Forms(ch, 't')
		if spec[8:10] != tc.spec || ref[8:10] != tc.ref || spec[10:] != ref[10:] || spec != tlsinfo.JA4(ch, 't') {
			t.Errorf("ALPN %q: spec %s (want %s), reference %s (want %s)", tc.alpn, spec, tc.spec, ref, tc.ref)
		}
	}
}
