package capture

import (
	"bytes"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// TestTLSAfterPreamble: the ClientHello and the certificate are found after
// every kind of preamble, the preamble is named, CONNECT and SOCKS targets
// are observed, and STARTTLS on its own standard port is not "TLS on an
// unusual port".
func TestTLSAfterPreamble(t *testing.T) {
	ch := func(sni string) []byte { return netgen.ClientHello(netgen.Hello{SNI: sni, ALPN: []string{"h2"}}) }
	flight := func(cn string) []byte { return netgen.ServerFlight(netgen.Cert(cn, []string{cn}, "Example CA")) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	src, dst := netip.MustParseAddrPort("203.0.113.99:51000"), netip.MustParseAddrPort("10.0.0.5:443")
	tests := []struct {
		name     string
		port     uint16
		turns    []netgen.Turn
		sni      string
		preamble string
		target   string // observed CONNECT/SOCKS host
	}{
		{"smtp", 587, []netgen.Turn{netgen.S(netgen.Text("220 mx.example ESMTP\r\n")), netgen.C(netgen.Text("EHLO me\r\n")),
			netgen.S(netgen.Text("250-mx\r\n250 STARTTLS\r\n")), netgen.C(netgen.Text("STARTTLS\r\n")), netgen.S(netgen.Text("220 Go ahead\r\n")),
			netgen.C(ch("mx.example")), netgen.S(flight("mx.example"))}, "mx.example", "smtp starttls", ""},
		{"imap", 143, []netgen.Turn{netgen.S(netgen.Text("* OK ready\r\n")), netgen.C(netgen.Text("a1 STARTTLS\r\n")),
			netgen.S(netgen.Text("a1 OK Begin TLS\r\n")), netgen.C(ch("imap.example")), netgen.S(flight("imap.example"))}, "imap.example", "imap starttls", ""},
		{"pop3", 110, []netgen.Turn{netgen.S(netgen.Text("+OK ready\r\n")), netgen.C(netgen.Text("STLS\r\n")),
			netgen.S(netgen.Text("+OK Begin TLS\r\n")), netgen.C(ch("pop.example")), netgen.S(flight("pop.example"))}, "pop.example", "pop3 starttls", ""},
		{"ftp", 21, []netgen.Turn{netgen.S(netgen.Text("220 FTP server\r\n")), netgen.C(netgen.Text("AUTH TLS\r\n")),
			netgen.S(netgen.Text("234 Proceed\r\n")), netgen.C(ch("ftp.example")), netgen.S(flight("ftp.example"))}, "ftp.example", "ftp starttls", ""},
		{"xmpp", 5222, []netgen.Turn{netgen.C(netgen.Text("<?xml version='1.0'?><stream:stream to='x'>")),
			netgen.S(netgen.Text("<?xml version='1.0'?><stream:stream><stream:features><starttls/></stream:features>")),
			netgen.C(netgen.Text("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")), netgen.S(netgen.Text("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")),
			netgen.C(ch("xmpp.example")), netgen.S(flight("xmpp.example"))}, "xmpp.example", "xmpp starttls", ""},
		{"ldap", 389, []netgen.Turn{netgen.C(netgen.LDAPStartTLS(1)), netgen.S(netgen.LDAPStartTLSOK(1)),
			netgen.C(ch("ldap.example")), netgen.S(flight("ldap.example"))}, "ldap.example", "ldap starttls", ""},
		{"postgresql", 5432, []netgen.Turn{netgen.C(netgen.PGSSLRequest()), netgen.S([]byte{'S'}),
			netgen.C(ch("db.example")), netgen.S(flight("db.example"))}, "db.example", "postgresql starttls", ""},
		{"http connect", 3128, []netgen.Turn{netgen.C(netgen.Text("CONNECT c2.example:443 HTTP/1.1\r\nHost: c2.example:443\r\n\r\n")),
			netgen.S(netgen.Text("HTTP/1.1 200 Connection established\r\n\r\n")), netgen.C(ch("front.example")), netgen.S(flight("front.example"))},
			"front.example", "http-connect to c2.example:443", "c2.example"},
		{"socks4a", 1080, []netgen.Turn{netgen.C(netgen.SOCKS4Request("socks4.example", 443)), netgen.S(netgen.SOCKS4Granted()),
			netgen.C(ch("socks4.example")), netgen.S(flight("socks4.example"))}, "socks4.example", "socks4 to socks4.example:443", "socks4.example"},
		{"socks5 with password", 1080, []netgen.Turn{netgen.C(netgen.SOCKS5Greeting(true)), netgen.S(netgen.SOCKS5Choice(2)),
			netgen.C(netgen.SOCKS5UserPass("u", "p")), netgen.S([]byte{1, 0}), netgen.C(netgen.SOCKS5Request(netgen.PlantedIP, 8443)),
			netgen.S(netgen.SOCKS5Succeeded()), netgen.C(ch("socks5.example")), netgen.S(flight("socks5.example"))},
			"socks5.example", "socks5 to " + netgen.PlantedIP + ":8443", netgen.PlantedIP},
		{"proxy v1 then tls", 443, []netgen.Turn{netgen.C(cat(netgen.ProxyV1(src, dst), ch("lb.example"))), netgen.S(flight("lb.example"))},
			"lb.example", "", ""},
		{"proxy v2 then tls", 443, []netgen.Turn{netgen.C(netgen.ProxyV2(src, dst)), netgen.C(ch("lb2.example")), netgen.S(flight("lb2.example"))},
			"lb2.example", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
			g := &netgen.Gen{W: w, Now: netgen.DemoStart, MSS: 37} // small segments split every message
			g.TCPTurns(netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.40"), 50000, tc.port, tc.turns...)
			w.Flush()
			res := analyzeBytes(t, buf.Bytes())
			if len(res.TLS) != 1 {
				t.Fatalf("TLS records %+v (decode %v)", res.TLS, res.Summary.Decode)
			}
			r := res.TLS[0]
			if r.SNI != tc.sni || r.Preamble != tc.preamble || len(r.Certificates) != 1 || r.Negotiated != "TLSv1.2" {
				t.Errorf("record %+v", r)
			}
			if len(res.Flows) != 1 || res.Flows[0].App != "tls" || res.Flows[0].Preamble != tc.preamble {
				t.Errorf("flows %+v", res.Flows)
			}
			if tc.target != "" {
				kind := KindDomain
				if _, err := netip.ParseAddr(tc.target); err == nil {
					kind = KindIP
				}
				if o := obs(res, kind, tc.target); o == nil || !slices.ContainsFunc(o.Sources, func(s string) bool { return strings.HasSuffix(s, " target") }) {
					t.Errorf("target %s observed as %+v", tc.target, o)
				}
			}
			if strings.HasPrefix(tc.name, "proxy") {
				if res.Flows[0].ProxiedConnection != src.String()+" -> "+dst.String() || obs(res, KindIP, "203.0.113.99") == nil {
					t.Errorf("proxied connection %q", res.Flows[0].ProxiedConnection)
				}
			}
			// the STARTTLS ports, and the targets' ports (not the proxies'), are usual
			if slices.ContainsFunc(res.Findings, func(f Finding) bool { return strings.HasPrefix(f.Message, "TLS on unusual port") }) {
				t.Errorf("unusual-port finding: %+v", res.Findings)
			}
		})
	}
}

// TestPlainTextProtocolIsNotTLS: an SMTP session without STARTTLS is named
// and not mistaken for TLS.
func TestPlainTextProtocolIsNotTLS(t *testing.T) {
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	g := &netgen.Gen{W: w, Now: netgen.DemoStart}
	g.TCPTurns(netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.41"), 50000, 25,
		netgen.S(netgen.Text("220 mx ESMTP\r\n")), netgen.C(netgen.Text("EHLO me\r\nMAIL FROM:<a@example.org>\r\nDATA\r\n")),
		netgen.C(bytes.Repeat([]byte("lorem ipsum dolor sit amet\r\n"), 3000)), netgen.C([]byte{0, 1, 2, 3}))
	w.Flush()
	res := analyzeBytes(t, buf.Bytes())
	if len(res.TLS) != 0 || len(res.Flows) != 1 || res.Flows[0].App != "smtp" {
		t.Fatalf("TLS %+v flows %+v", res.TLS, res.Flows)
	}
}

// TestHTTPHostAddressLiteral: a Host header with an IPv6 (or IPv4) literal
// is an address, never a domain.
func TestHTTPHostAddressLiteral(t *testing.T) {
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	g := &netgen.Gen{W: w, Now: netgen.DemoStart}
	c6, s6 := netgen.Addr("2001:db8::2"), netgen.Addr("2001:db8:5::1")
	g.TCP(c6, s6, 50000, 8000, netgen.HTTPRequest("GET", "[2001:db8:5::1]:8000", "/a", "ua"), nil)
	g.TCP(c6, s6, 50001, 80, netgen.HTTPRequest("GET", "[2001:DB8:5::1]", "/b", "ua"), nil)
	g.TCP(netgen.Addr("10.0.0.2"), netgen.Addr(netgen.PlantedIP), 50002, 80, netgen.HTTPRequest("GET", netgen.PlantedIP+":80", "/c", "ua"), nil)
	g.TCP(netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.9"), 50003, 80, netgen.HTTPRequest("GET", "[::1", "/d", "ua"), nil)
	w.Flush()
	res := analyzeBytes(t, buf.Bytes())
	for _, o := range res.Observations {
		if o.Kind == KindDomain && strings.ContainsAny(o.Value, "[]:") {
			t.Errorf("domain observed from an address literal: %q", o.Value)
		}
	}
	if o := obs(res, KindIP, "2001:db8:5::1"); o == nil || !slices.Contains(o.Sources, "http host") {
		t.Errorf("IPv6 Host literal: %+v", o)
	}
	if o := obs(res, KindIP, netgen.PlantedIP); o == nil || !slices.Contains(o.Sources, "http host") {
		t.Errorf("IPv4 Host literal: %+v", o)
	}
	var urls, hosts []string
	for _, h := range res.HTTP {
		urls, hosts = append(urls, h.URL), append(hosts, h.Host)
	}
	if !slices.Contains(urls, "http://[2001:db8:5::1]:8000/a") || !slices.Contains(hosts, "2001:db8:5::1") {
		t.Errorf("urls %q hosts %q", urls, hosts)
	}
	if res.Summary.Decode["HTTP: malformed Host header"] != 1 {
		t.Errorf("decode %v", res.Summary.Decode)
	}
}

// TestPublicPreambles: real captures; SNI, JA3 and leaf certificate SHA-1
// from tshark 4.0.17, JA4 from FoxIO's published outputs, targets from the
// packets (tshark's socks and http fields).
func TestPublicPreambles(t *testing.T) {
	tests := []struct {
		file, sni, ja3, ja4, leaf, preamble, target string
	}{
		{"foxio-https-connect.pcap", "", "b288289af2999820648eb3ca4d8304c5", "t12i860500_e18388e7f3a3_a1e935682795", "1c8a39c5f718ddcb6ce0da9c53f9c136d2371507", "http-connect to ", ""},
		{"foxio-socks-https-example.pcap", "www.example.com", "06a92bf69b367389d2feb0d70501ddfe", "t10d230100_6a57a6f57151_000000000000", "d8af998db5e042a7b47b6d41627500a7f7ed965c", "socks4 to 93.184.216.119:443", ""}, // SOCKS4, 4a and 5 connections; the record names the first
		{"suricata-ldap-starttls.pcap", "", "3f8b7a5c41878630f67e660533be80fc", "", "2bc26a13998b2ca01ea465dd22fbfc92a099fb02", "ldap starttls", ""},
		{"suricata-pgsql-upgrade-tls.pcap", "", "fd53785d893d2ba0a73fdade39ddd7f1", "", "e49d12c5f9f3404106c714422cd88241e96b94cd", "postgresql starttls", ""},
		{"ndpi-ftp-start-tls.pcap", "", "398076b7fcad56308a762b3c79fe1f44", "", "0a143aabe13a5b1ca7bdc782458cfa37d78729d2", "ftp starttls", ""},
		{"ndpi-pop3_stls.pcap", "pop.lavabit.com", "207409c2b30e670ca50e1eac016a4831", "", "1d14603d5e0fa2eb61c527f8a42680b3e5bba2b2", "pop3 starttls", ""},
		{"zeek-imap-starttls.pcap", "", "c369db2c355ad05c76f5660af3179b01", "", "0fe8eae24887df8efef28459fed0fc1c462485f5", "imap starttls", ""},
		{"zeek-smtp-starttls.pcap", "", "13020a4ccb11b2d3c9c0e6c285c3c415", "", "45156ae749634094f9ab091ef5a7336df37b28fc", "smtp starttls", ""},
		{"zeek-xmpp-starttls.pcap", "", "c369db2c355ad05c76f5660af3179b01", "", "4e09f9d9f224174684768d467a84b139b86a021f", "xmpp starttls", ""},
		{"zeek-socks-with-ssl.pcap", "www.google.com", "2aef69b4ba1938c3a400de4188743185", "", "c1956dc8a7dfb2a5a56934da09778e3a11023358", "socks5 to ", ""},
		{"ndpi-haproxy.pcap", "aaaaaaaaaaaaaaaa.xx", "dda262729e5413660ec0e6a8d4279860", "", "", "", ""},
		{"foxio-socks4-https.pcap", "", "", "", "", "", "login.live.com"},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := analyzeFile(t, filepath.Join("../testdata/public", tc.file))
			if tc.target != "" {
				if o := obs(res, KindDomain, tc.target); o == nil || o.Sources[0] != "socks4 target" {
					t.Errorf("target %s: %+v", tc.target, o)
				}
			}
			if tc.ja3 == "" {
				return
			}
			var r *TLSRecord
			for i := range res.TLS {
				if res.TLS[i].JA3 == tc.ja3 {
					r = res.TLS[i]
				}
			}
			if r == nil {
				t.Fatalf("no TLS record with JA3 %s: %+v", tc.ja3, res.TLS)
			}
			if r.SNI != tc.sni || !strings.HasPrefix(r.Preamble, tc.preamble) || (tc.ja4 != "" && r.JA4 != tc.ja4) {
				t.Errorf("record %+v", r)
			}
			if tc.leaf != "" && (len(r.Certificates) == 0 || r.Certificates[0].SHA1 != tc.leaf) {
				t.Errorf("certificates %+v, want leaf %s", r.Certificates, tc.leaf)
			}
		})
	}
}

// TestTLSAfterUnknownPreamble: TLS found after a preamble of a protocol
// not recognised (MySQL's greeting and SSL request here), a server's
// handshake whose client side the capture missed, and what a SOCKS tunnel
// carries when it is not TLS (HTTP).
func TestTLSAfterUnknownPreamble(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.50")
	cert := netgen.Cert("db.example", []string{"db.example"}, "Example CA")
	greeting := append([]byte{0x4a, 0, 0, 0, 0x0a}, "8.0.36\x00binary-greeting-bytes\x00\xff\xf7"...)
	sslRequest := append([]byte{0x20, 0, 0, 1, 0x05, 0xae, 0xff, 0x01}, make([]byte, 28)...)
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	g := &netgen.Gen{W: w, Now: netgen.DemoStart}
	g.TCPTurns(c, s, 50000, 3306, netgen.S(greeting), netgen.C(sslRequest),
		netgen.C(netgen.ClientHello(netgen.Hello{SNI: "db.example"})), netgen.S(netgen.ServerFlight(cert)))
	// only the server's direction of a TLS connection
	flight := netgen.ServerFlight(netgen.Cert("oneway.example", []string{"oneway.example"}, "Example CA"))
	g.Now = netgen.DemoStart.Add(1e9)
	for i, seq := 0, uint32(7000); i < len(flight); i += 1000 {
		end := min(len(flight), i+1000)
		w.WritePacket(0, g.Now, netgen.Ethernet(netgen.IP(s, c, 6, netgen.TCP(443, 50001, seq, 1, netgen.ACK, flight[i:end]))))
		seq += uint32(end - i)
	}
	// HTTP through SOCKS5
	g.Now = netgen.DemoStart.Add(2e9)
	g.TCPTurns(c, s, 50002, 1080, netgen.C(netgen.SOCKS5Greeting(false)), netgen.S(netgen.SOCKS5Choice(0)),
		netgen.C(netgen.SOCKS5Request("inner.example", 80)), netgen.S(netgen.SOCKS5Succeeded()),
		netgen.C(netgen.HTTPRequest("GET", "inner.example", "/x", "ua")), netgen.S(netgen.Text("HTTP/1.1 200 OK\r\n\r\n")))
	w.Flush()
	res := analyzeBytes(t, buf.Bytes())
	var got []string
	for _, r := range res.TLS {
		leaf := ""
		if len(r.Certificates) > 0 {
			leaf = r.Certificates[0].Subject
		}
		got = append(got, r.SNI+"|"+r.Preamble+"|"+leaf)
	}
	want := []string{"db.example|tls after an unrecognised preamble|CN=db.example",
		"|tls (the other direction's start is not in the capture)|CN=oneway.example"}
	if !slices.Equal(got, want) {
		t.Errorf("TLS records %q, want %q", got, want)
	}
	if !hasHTTP(res, "inner.example", "") || obs(res, KindDomain, "inner.example") == nil {
		t.Errorf("HTTP through SOCKS5: %+v", res.HTTP)
	}
	for _, f := range res.Flows {
		if f.Client == "10.0.0.2:50002" && (f.App != "http" || f.Preamble != "socks5 to inner.example:80") {
			t.Errorf("SOCKS flow %+v", f)
		}
	}
}

// TestPublicTLSAfterUnknownPreamble: real captures (values from tshark
// 4.0.17).
func TestPublicTLSAfterUnknownPreamble(t *testing.T) {
	t.Run("ndpi mysql", func(t *testing.T) {
		res := analyzeFile(t, filepath.Join("../testdata/public", "ndpi-mysql.pcapng"))
		if len(res.TLS) != 1 || res.TLS[0].JA3 != "dd99f0b11b7a721ecdb698a10a9585cb" {
			t.Errorf("TLS %+v", res.TLS)
		}
	})
	t.Run("ndpi nomachine", func(t *testing.T) {
		res := analyzeFile(t, filepath.Join("../testdata/public", "ndpi-nomachine.pcapng"))
		if len(res.TLS) != 1 || res.TLS[0].JA3 != "2a2df32dcbfc40bcc75c530352cd7f38" || len(res.TLS[0].Certificates) == 0 ||
			res.TLS[0].Certificates[0].SHA1 != "c0be85678f509dc7d96110095dd9e5538b013370" {
			t.Errorf("TLS %+v", res.TLS)
		}
	})
	t.Run("ndpi tls_1.2_unidirectional_server", func(t *testing.T) {
		res := analyzeFile(t, filepath.Join("../testdata/public", "ndpi-tls_1.2_unidirectional_server.pcapng"))
		var sha1s []string
		for _, r := range res.TLS {
			for _, c := range r.Certificates {
				sha1s = append(sha1s, c.SHA1)
			}
		}
		slices.Sort(sha1s)
		want := []string{"08745487e891c19e3078c1f2a07e452950ef36f6", "1e7ef647cba150281c60897257102878c4bd8cdc", "a98f37b3544fd001b78d0f8821374aebf7e3d3f2"}
		if !slices.Equal(sha1s, want) {
			t.Errorf("certificates %v, want %v", sha1s, want)
		}
	})
	t.Run("ndpi socks", func(t *testing.T) {
		res := analyzeFile(t, filepath.Join("../testdata/public", "ndpi-socks.pcap"))
		if !hasHTTP(res, "www.example.com", "") || !hasHTTP(res, "www.google.com", "") {
			t.Errorf("HTTP %+v", res.HTTP)
		}
	})
}
