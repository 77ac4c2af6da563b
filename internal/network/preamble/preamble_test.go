package preamble_test

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/spyscan/spyscan/internal/network/preamble"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// scan feeds data to a scanner in chunks of step bytes, discarding what it
// consumes, as the capture pass does; it returns the final status and the
// offset of TLS in data.
func scan(s *preamble.Scanner, k preamble.Kind, client bool, data []byte, step int) (preamble.Status, int) {
	var buf []byte
	done := 0
	for off := 0; ; {
		end := min(len(data), off+step)
		buf = append(buf, data[off:end]...)
		off = end
		n, st := s.Feed(k, client, buf)
		buf = buf[n:]
		done += n
		if st != preamble.NeedMore || off == len(data) {
			return st, done
		}
	}
}

func TestScanners(t *testing.T) {
	ch := netgen.ClientHello(netgen.Hello{SNI: "x.example"})
	sh := netgen.Record(netgen.ServerHelloMsg(netgen.ServerHelloOptions{}))
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name           string
		kind           preamble.Kind
		client, server []byte // preamble of each side, TLS follows
		host           string
		port           uint16
	}{
		{"smtp", preamble.Text, netgen.Text("EHLO me\r\nSTARTTLS\r\n"), netgen.Text("220 mx ESMTP\r\n250-mx\r\n250 STARTTLS\r\n220 Go ahead\r\n"), "", 0},
		{"imap", preamble.Text, netgen.Text("a1 CAPABILITY\r\na2 STARTTLS\r\n"), netgen.Text("* OK ready\r\na2 OK Begin TLS\r\n"), "", 0},
		{"pop3", preamble.Text, netgen.Text("STLS\r\n"), netgen.Text("+OK\r\n+OK Begin TLS\r\n"), "", 0},
		{"ftp", preamble.Text, netgen.Text("AUTH TLS\r\n"), netgen.Text("220 FTP\r\n234 AUTH TLS OK.\r\n"), "", 0},
		{"xmpp", preamble.Text, netgen.Text("<?xml version='1.0'?><stream:stream to='x'><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
			netgen.Text("<?xml version='1.0'?><stream:stream><stream:features><starttls/></stream:features><proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"), "", 0},
		{"xmpp utf-8", preamble.Text, netgen.Text("<stream:stream to='é.example'>\n<starttls/>"), netgen.Text("<proceed/>"), "", 0},
		{"ldap", preamble.LDAP, netgen.LDAPStartTLS(1), netgen.LDAPStartTLSOK(1), "", 0},
		{"postgresql", preamble.PostgreSQL, netgen.PGSSLRequest(), []byte{'S'}, "", 0},
		{"connect", preamble.HTTPConnect, netgen.Text("CONNECT evil.example:443 HTTP/1.1\r\nHost: evil.example:443\r\n\r\n"),
			netgen.Text("HTTP/1.1 200 Connection established\r\n\r\n"), "evil.example", 443},
		{"connect ipv6", preamble.HTTPConnect, netgen.Text("CONNECT [2001:db8::7]:8443 HTTP/1.1\r\n\r\n"), netgen.Text("HTTP/1.0 200 OK\r\n\r\n"), "2001:db8::7", 8443},
		{"socks4", preamble.SOCKS4, netgen.SOCKS4Request("198.51.100.4", 443), netgen.SOCKS4Granted(), "198.51.100.4", 443},
		{"socks4a", preamble.SOCKS4, netgen.SOCKS4Request("c2.example", 8443), netgen.SOCKS4Granted(), "c2.example", 8443},
		{"socks5", preamble.SOCKS5, cat(netgen.SOCKS5Greeting(false), netgen.SOCKS5Request("c2.example", 443)),
			cat(netgen.SOCKS5Choice(0), netgen.SOCKS5Succeeded()), "c2.example", 443},
		{"socks5 auth ipv6", preamble.SOCKS5, cat(netgen.SOCKS5Greeting(true), netgen.SOCKS5UserPass("u", "secret"), netgen.SOCKS5Request("2001:db8::9", 443)),
			cat(netgen.SOCKS5Choice(2), []byte{1, 0}, netgen.SOCKS5Succeeded()), "2001:db8::9", 443},
		{"socks5 auth offered, not chosen", preamble.SOCKS5, cat(netgen.SOCKS5Greeting(true), netgen.SOCKS5Request("203.0.113.5", 443)),
			cat(netgen.SOCKS5Choice(0), netgen.SOCKS5Succeeded()), "203.0.113.5", 443},
	}
	for _, tc := range tests {
		for _, step := range []int{1, 3, 1000} {
			var c, s preamble.Scanner
			st, off := scan(&c, tc.kind, true, cat(tc.client, ch), step)
			if st != preamble.Found || off != len(tc.client) || c.Host != tc.host || c.Port != tc.port {
				t.Errorf("%s client step %d: %v at %d (want %d), host %q:%d", tc.name, step, st, off, len(tc.client), c.Host, c.Port)
			}
			st, off = scan(&s, tc.kind, false, cat(tc.server, sh), step)
			if st != preamble.Found || off != len(tc.server) {
				t.Errorf("%s server step %d: %v at %d (want %d)", tc.name, step, st, off, len(tc.server))
			}
		}
	}
}

func TestScannersRefuse(t *testing.T) {
	tests := []struct {
		name   string
		kind   preamble.Kind
		client bool
		data   []byte
	}{
		{"plain smtp", preamble.Text, true, append(netgen.Text("EHLO me\r\nMAIL FROM:<a@b>\r\n"), 0x00, 0x01)},
		{"connect refused", preamble.HTTPConnect, false, netgen.Text("HTTP/1.1 403 Forbidden\r\n\r\n")},
		{"socks4 rejected", preamble.SOCKS4, false, []byte{0, 0x5b, 0, 0, 0, 0, 0, 0}},
		{"socks5 no method", preamble.SOCKS5, false, []byte{5, 0xff}},
		{"postgres refused", preamble.PostgreSQL, false, []byte{'N'}},
	}
	for _, tc := range tests {
		var s preamble.Scanner
		if st, _ := scan(&s, tc.kind, tc.client, tc.data, 1000); st != preamble.NotTLS {
			t.Errorf("%s: %v, want NotTLS", tc.name, st)
		}
	}
	// a tunnel's preamble followed by something else than TLS: End, after
	// the preamble, so the caller reads the rest as a new stream
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	get := netgen.Text("GET / HTTP/1.1\r\nHost: inner.example\r\n\r\n")
	for _, tc := range []struct {
		name string
		kind preamble.Kind
		pre  []byte
	}{
		{"http after connect", preamble.HTTPConnect, netgen.Text("CONNECT a:80 HTTP/1.1\r\n\r\n")},
		{"http after socks4", preamble.SOCKS4, netgen.SOCKS4Request("a.example", 80)},
		{"http after socks5", preamble.SOCKS5, cat(netgen.SOCKS5Greeting(false), netgen.SOCKS5Request("a.example", 80))},
	} {
		var s preamble.Scanner
		if st, off := scan(&s, tc.kind, true, cat(tc.pre, get), 7); st != preamble.End || off != len(tc.pre) {
			t.Errorf("%s: %v at %d, want End at %d", tc.name, st, off, len(tc.pre))
		}
	}
	// a text preamble that never ends is given up past the bound
	var s preamble.Scanner
	if st, _ := scan(&s, preamble.Text, true, bytes.Repeat([]byte("NOOP\r\n"), preamble.MaxPreamble/5), 1400); st != preamble.NotTLS {
		t.Errorf("endless text: %v", st)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		b     []byte
		port  uint16
		kind  preamble.Kind
		proto string
	}{
		{netgen.Text("EHLO client.example\r\n"), 587, preamble.Text, "smtp"},
		{netgen.Text("a001 CAPABILITY\r\n"), 143, preamble.Text, "imap"},
		{netgen.Text("CAPA\r\n"), 110, preamble.Text, "pop3"},
		{netgen.Text("USER bob\r\n"), 110, preamble.Text, "pop3"},
		{netgen.Text("AUTH TLS\r\n"), 21, preamble.Text, "ftp"},
		{netgen.Text("<?xml version='1.0'?><stream:stream"), 5222, preamble.Text, "xmpp"},
		{netgen.Text("CAP LS 302\r\n"), 6667, preamble.Text, "irc"},
		{netgen.LDAPStartTLS(1), 389, preamble.LDAP, "ldap"},
		{netgen.PGSSLRequest(), 5432, preamble.PostgreSQL, "postgresql"},
		{netgen.SOCKS5Greeting(true), 1080, preamble.SOCKS5, "socks5"},
		{netgen.SOCKS4Request("c2.example", 443), 1080, preamble.SOCKS4, "socks4"},
		{netgen.Text("hello there\r\n"), 4444, preamble.None, ""},
		{[]byte{0x17, 3, 3, 0, 5}, 443, preamble.None, ""},
	}
	for _, tc := range tests {
		if k, p := preamble.Client(tc.b, tc.port); k != tc.kind || p != tc.proto {
			t.Errorf("%q: %v %q, want %v %q", tc.b, k, p, tc.kind, tc.proto)
		}
	}
	for banner, proto := range map[string]string{"220 mx.example ESMTP Postfix\r\n": "smtp", "220 ProFTPD Server\r\n": "ftp",
		"* OK [CAPABILITY IMAP4rev1] ready\r\n": "imap", "+OK POP3 ready\r\n": "pop3"} {
		if k, p := preamble.Server([]byte(banner), 0); k != preamble.Text || p != proto {
			t.Errorf("banner %q: %v %q", banner, k, p)
		}
	}
}

func TestFindTLS(t *testing.T) {
	ch := netgen.ClientHello(netgen.Hello{SNI: "x.example"})
	sh := netgen.Record(netgen.ServerHelloMsg(netgen.ServerHelloOptions{}))
	junk := []byte("\x16\x03\x01 not a record \x16\x03\x09\x00\x05\x01....")
	if i := preamble.FindTLS(append(append([]byte(nil), junk...), ch...), true); i != len(junk) {
		t.Errorf("ClientHello at %d, want %d", i, len(junk))
	}
	if i := preamble.FindTLS(append(append([]byte(nil), junk...), sh...), false); i != len(junk) {
		t.Errorf("ServerHello at %d, want %d", i, len(junk))
	}
	if i := preamble.FindTLS(ch, false); i != -1 {
		t.Errorf("a ClientHello found as a ServerHello at %d", i)
	}
}

// TestFindTLSCertificate: a capture that starts inside the server's
// handshake, at its Certificate record (nDPI's riot.pcapng), still has its
// TLS found; bytes that only look like a record header are not taken.
func TestFindTLSCertificate(t *testing.T) {
	cert := netgen.Record(netgen.CertificateMsg(netgen.Cert("mid.example", nil, "")))
	wrongList := append([]byte(nil), cert...)
	wrongList[11]++ // the certificate list's length no longer fits the message's
	tests := []struct {
		name   string
		b      []byte
		client bool
		want   int
	}{
		{"at the start", cert, false, 0},
		{"after other bytes", append([]byte("\x16\x03\x03\x00\x10\x0b junk "), cert...), false, 12},
		{"cut after the list length", cert[:12], false, 0},
		{"cut before the list length", cert[:11], false, -1},
		{"list length that does not fit", wrongList, false, -1},
		{"from the client (a client certificate is not a start)", cert, true, -1},
		{"a record version past TLS 1.3", append([]byte{0x16, 3, 9}, cert[3:]...), false, -1},
	}
	for _, tc := range tests {
		if i := preamble.FindTLS(tc.b, tc.client); i != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, i, tc.want)
		}
	}
}

func TestProxyHeader(t *testing.T) {
	src, dst := netip.MustParseAddrPort("203.0.113.7:51000"), netip.MustParseAddrPort("10.0.0.5:443")
	src6, dst6 := netip.MustParseAddrPort("[2001:db8::7]:51000"), netip.MustParseAddrPort("[2001:db8::5]:443")
	for _, h := range [][]byte{netgen.ProxyV1(src, dst), netgen.ProxyV2(src, dst), netgen.ProxyV1(src6, dst6), netgen.ProxyV2(src6, dst6)} {
		data := append(append([]byte(nil), h...), "GET / HTTP/1.1\r\n"...)
		n, s, d, st := preamble.ProxyHeader(data)
		if st != preamble.Found || n != len(h) || (s != src && s != src6) || (d != dst && d != dst6) {
			t.Errorf("%q: %d %v %v %v", h, n, s, d, st)
		}
		if _, _, _, st := preamble.ProxyHeader(h[:len(h)-1]); st != preamble.NeedMore {
			t.Errorf("%q cut: %v", h, st)
		}
	}
	if _, _, _, st := preamble.ProxyHeader([]byte("GET / HTTP/1.1\r\n")); st != preamble.NotTLS {
		t.Errorf("HTTP as PROXY: %v", st)
	}
}

// FuzzScanner feeds arbitrary bytes to every scanner and to the
// detectors, in chunks: consumption never exceeds the input, and a Found
// stream is followed by a TLS record header.
func FuzzScanner(f *testing.F) {
	f.Add(uint8(1), true, netgen.Text("EHLO a\r\nSTARTTLS\r\n\x16\x03\x01\x00\x05\x01"), uint8(3))
	f.Add(uint8(5), true, append(netgen.SOCKS4Request("a.example", 443), 0x16, 3, 1, 0, 9, 1), uint8(2))
	f.Add(uint8(6), false, []byte{5, 2, 1, 0, 5, 0, 0, 3, 1, 'a', 1, 187, 0x16, 3, 3, 0, 9, 2}, uint8(4))
	f.Add(uint8(2), true, append(netgen.LDAPStartTLS(3), 0x16, 3, 1, 0, 9, 1), uint8(7))
	f.Fuzz(func(t *testing.T, kind uint8, client bool, b []byte, step uint8) {
		preamble.Client(b, 25)
		preamble.Server(b, 21)
		preamble.ProxyHeader(b)
		var s preamble.Scanner
		var buf []byte
		for off := 0; off < len(b); {
			end := min(len(b), off+1+int(step))
			buf = append(buf, b[off:end]...)
			off = end
			n, st := s.Feed(preamble.Kind(kind%7), client, buf)
			if n < 0 || n > len(buf) {
				t.Fatalf("consumed %d of %d", n, len(buf))
			}
			buf = buf[n:]
			if st == preamble.Found && (len(buf) < 6 || buf[0] != 0x16) {
				t.Fatalf("Found before %q", buf)
			}
			if st != preamble.NeedMore {
				return
			}
		}
	})
}
