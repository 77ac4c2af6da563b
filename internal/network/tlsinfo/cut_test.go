package tlsinfo_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/spyscan/spyscan/internal/network/tlsinfo"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func sha1hex(b []byte) string {
	s := sha1.Sum(b)
	return hex.EncodeToString(s[:])
}

// TestCutCertificates: certificates are hashed as the DER element they
// hold (bytes appended after it in the entry do not change the hash, as in
// tshark), and a message or element cut short gives what it holds, the
// cut certificate marked partial (Suricata's bug-1450 captures: a DER
// header and content that claim more than was sent).
func TestCutCertificates(t *testing.T) {
	leaf := netgen.Cert("cut.example", []string{"cut.example"}, "Some CA")
	ca := netgen.Cert("Some CA", nil, "")
	whole := certificateMsg([][]byte{leaf, ca})
	type want struct {
		sha1     string
		partial  bool
		trailing int
		parsed   bool // x509 read it
	}
	tests := []struct {
		name  string
		msg   []byte
		certs []want
		err   error
	}{
		{"whole chain", whole, []want{{sha1hex(leaf), false, 0, true}, {sha1hex(ca), false, 0, true}}, nil},
		{"bytes after the DER element", certificateMsg([][]byte{append(append([]byte(nil), leaf...), "junk"...)}),
			[]want{{sha1hex(leaf), false, 4, true}}, nil},
		// bug-1450-04: an entry of 9 bytes holding a 7-byte SEQUENCE whose
		// inner element claims 4 GB
		{"DER header claiming more (bug-1450-04)", certificateMsg([][]byte{{0x30, 0x05, 0x30, 0x84, 0xff, 0xff, 0xff, 0xfa, 0x04}}),
			[]want{{sha1hex([]byte{0x30, 0x05, 0x30, 0x84, 0xff, 0xff, 0xff}), false, 2, false}}, nil},
		{"DER element longer than its entry", certificateMsg([][]byte{leaf[:100]}),
			[]want{{sha1hex(leaf[:100]), true, 0, false}}, nil},
		{"message cut inside the second certificate", whole[:len(whole)-50],
			[]want{{sha1hex(leaf), false, 0, true}, {sha1hex(ca[:len(ca)-50]), true, 0, false}}, tlsinfo.ErrShort},
		{"message cut inside the first certificate", whole[:200],
			[]want{{sha1hex(whole[10:200]), true, 0, false}}, tlsinfo.ErrShort},
		{"message cut in the second entry's length", whole[:10+len(leaf)+1], []want{{sha1hex(leaf), false, 0, true}}, tlsinfo.ErrShort},
		{"entry past its list in a whole message (damaged)", func() []byte {
			m := append([]byte(nil), whole...)
			m[7+3+len(leaf)+2]++ // the last entry's length, one byte past the list
			return m
		}(), []want{{sha1hex(leaf), false, 0, true}}, tlsinfo.ErrShort},
		{"not a Certificate", []byte{2, 0, 0, 0}, nil, errors.New("any")},
	}
	for _, tc := range tests {
		certs, err := tlsinfo.ParseCertificateMsg(tc.msg)
		if (err == nil) != (tc.err == nil) || tc.err == tlsinfo.ErrShort && !errors.Is(err, tlsinfo.ErrShort) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.err)
		}
		if len(certs) != len(tc.certs) {
			t.Errorf("%s: %d certificates, want %d", tc.name, len(certs), len(tc.certs))
			continue
		}
		for i, w := range tc.certs {
			c := certs[i]
			if c.SHA1 != w.sha1 || c.Partial != w.partial || c.Trailing != w.trailing || (c.ParseError == "") != w.parsed {
				t.Errorf("%s: certificate %d %+v, want %+v", tc.name, i, c, w)
			}
		}
	}
}

// TestReaderPending: the message a stream ended inside is handed back,
// from the reader's held bytes and the incomplete record after them.
func TestReaderPending(t *testing.T) {
	cert := netgen.CertificateMsg(netgen.Cert("p.example", nil, ""))
	sh := netgen.ServerHelloMsg(netgen.ServerHelloOptions{})
	// the ServerHello whole, the Certificate message over two records, the
	// second of which is cut
	first, second := cert[:100], cert[100:]
	stream := bytes.Join([][]byte{netgen.Record(sh), netgen.TLSRecord(22, first), netgen.TLSRecord(22, second)}, nil)
	cut := stream[:len(stream)-40]
	if len(second) <= 40 {
		t.Fatal("the certificate is too short for this test")
	}
	r := &tlsinfo.Reader{}
	var got [][]byte
	n, err := r.Feed(cut, func(m []byte) bool { got = append(got, append([]byte(nil), m...)); return true })
	if err != nil || len(got) != 1 {
		t.Fatalf("%d messages, %v", len(got), err)
	}
	p := r.Pending(cut[n:])
	if !bytes.Equal(p, cert[:len(cert)-40]) {
		t.Fatalf("pending %d bytes, want the %d the capture holds", len(p), len(cert)-40)
	}
	if p := (&tlsinfo.Reader{}).Pending(nil); p != nil {
		t.Errorf("nothing under way: %x", p)
	}
	if p := r.Pending([]byte{23, 3, 3, 0, 10, 1, 2}); !bytes.Equal(p, first) {
		t.Errorf("an application-data record is not handshake bytes: %d bytes", len(p))
	}
}

// FuzzParseCertificateMsg: no message makes the parser read past it or
// describe more than the chain bound, cut or not.
func FuzzParseCertificateMsg(f *testing.F) {
	f.Add(certificateMsg([][]byte{netgen.Cert("f.example", nil, "")}))
	f.Add(certificateMsg([][]byte{{0x30, 0x05, 0x30, 0x84, 0xff, 0xff, 0xff, 0xfa, 0x04}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > tlsinfo.MaxHandshake+4 {
			return
		}
		certs, _ := tlsinfo.ParseCertificateMsg(b)
		if len(certs) > tlsinfo.MaxChain {
			t.Fatalf("%d certificates", len(certs))
		}
		for _, c := range certs {
			if c.Trailing < 0 || c.Trailing > len(b) || len(c.SHA1) != 40 {
				t.Fatalf("certificate %+v", c)
			}
		}
		r := &tlsinfo.Reader{}
		n, _ := r.Feed(b, func([]byte) bool { return true })
		if p := r.Pending(b[n:]); len(p) > len(b)+tlsinfo.MaxHandshake+4 {
			t.Fatalf("pending %d bytes of %d", len(p), len(b))
		}
	})
}

// sslv2Hello builds an SSLv2-format ClientHello offering version v.
func sslv2Hello(v uint16, specs, sid, chal int) []byte {
	n := 9 + specs + sid + chal
	b := []byte{0x80 | byte(n>>8), byte(n), 1, byte(v >> 8), byte(v), byte(specs >> 8), byte(specs), byte(sid >> 8), byte(sid), byte(chal >> 8), byte(chal)}
	return append(b, bytes.Repeat([]byte{7}, specs+sid+chal)...)
}

func TestSSLv2Hello(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		v    uint16
		ok   bool
	}{
		{"TLS 1.0 client", sslv2Hello(0x0301, 21, 0, 16), 0x0301, true},
		{"SSLv2 client", sslv2Hello(0x0002, 24, 16, 32), 0x0002, true},
		{"TLS 1.2 client", sslv2Hello(0x0303, 3, 0, 32), 0x0303, true},
		{"record length that disagrees", func() []byte { b := sslv2Hello(0x0301, 21, 0, 16); b[1]++; return b }(), 0, false},
		{"cipher specs not of 3 bytes", sslv2Hello(0x0301, 20, 0, 16), 0, false},
		{"challenge too short", sslv2Hello(0x0301, 21, 0, 8), 0, false},
		{"TLS 1.3 offered", sslv2Hello(0x0304, 21, 0, 16), 0, false},
		{"server hello", func() []byte { b := sslv2Hello(0x0301, 21, 0, 16); b[2] = 4; return b }(), 0, false},
		{"TLS record", netgen.ClientHello(netgen.Hello{}), 0, false},
		{"cut", sslv2Hello(0x0301, 21, 0, 16)[:10], 0, false},
	}
	for _, tc := range tests {
		v, ok := tlsinfo.SSLv2Hello(tc.b)
		if v != tc.v || ok != tc.ok {
			t.Errorf("%s: %#04x %v, want %#04x %v", tc.name, v, ok, tc.v, tc.ok)
		}
	}
	// the record reader stops at it without handing out a message
	r := &tlsinfo.Reader{}
	if n, err := r.Feed(sslv2Hello(0x0301, 21, 0, 16), func([]byte) bool { t.Error("message handed out"); return true }); n != 0 || err != tlsinfo.ErrSSLv2 {
		t.Errorf("reader: %d %v", n, err)
	}
}
