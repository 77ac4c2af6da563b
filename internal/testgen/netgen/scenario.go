package netgen

import (
	"fmt"
	"io"
	"net/netip"
	"time"
)

// DemoStart is the first timestamp of the demo capture.
var DemoStart = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

// Planted values in the demo capture (from the embedded indicator snapshot)
// and their clean look-alikes, which must not match.
var (
	PlantedDomains = []string{"free247downloads.com", "coazoa.com", "md-news-direct.com"}
	PlantedIP      = "83.220.169.120"
	PlantedProcess = "bh"
	PlantedQUIC    = "domain-control.net" // Pegasus, in a QUIC Initial
	LookAlikes     = []string{"notfree247downloads.com", "free247downloads.com.example.net", "coazoa.com.au", "www.domain-control.net.example.org"}
)

// WriteDemo writes the demo capture: a pcapng file with three interfaces
// (Ethernet in microseconds, Linux SLL2 in nanoseconds, Apple PKTAP in
// binary 2^-20 units) and one Decryption Secrets Block, holding planted
// indicator hits, clean look-alikes and traffic for every heuristic.
func WriteDemo(w io.Writer) error {
	ng, err := NewNGWriter(w,
		Iface{Link: LinkEthernet, Name: "en0"},
		Iface{Link: LinkSLL2, Name: "any", TSResol: 9},
		Iface{Link: LinkPKTAP, Name: "pktap", TSResol: 0x80 | 20})
	if err != nil {
		return err
	}
	if err := ng.WriteDSB(0x544c534b, []byte("CLIENT_RANDOM 00 00\n")); err != nil {
		return err
	}
	phone, resolver := Addr("192.168.1.23"), Addr("192.168.1.1")
	g := &Gen{W: ng, Now: DemoStart, Step: 3 * time.Millisecond}

	// Pegasus domain resolved then contacted over TLS with a self-signed cert.
	pegIP := Addr("198.51.100.7")
	g.DNS(phone, resolver, 50001, 1, "free247downloads.com", nil, pegIP)
	g.TCP(phone, pegIP, 50002, 443,
		ClientHello(Hello{SNI: "free247downloads.com", ALPN: []string{"h2", "http/1.1"}, TLS13: true, GREASE: true}),
		ServerFlight(Cert("free247downloads.com", []string{"free247downloads.com"}, "")))

	// Predator domain reached through a CNAME chain.
	predIP := Addr("198.51.100.8")
	g.DNS(phone, resolver, 50003, 2, "static.shop-deals.net", []string{"edge.shop-deals.net", "coazoa.com"}, predIP)

	// Predator domain in a clear-text HTTP Host header.
	httpIP := Addr("198.51.100.9")
	g.DNS(phone, resolver, 50004, 3, "md-news-direct.com", nil, httpIP)
	g.TCP(phone, httpIP, 50005, 80, HTTPRequest("GET", "md-news-direct.com", "/track?id=42", "Mozilla/5.0 (iPhone)"), []byte("HTTP/1.1 204 No Content\r\n\r\n"))

	// Clean look-alikes.
	clean := Addr("203.0.113.10")
	g.DNS(phone, resolver, 50006, 4, "notfree247downloads.com", nil, clean)
	g.TCP(phone, clean, 50007, 443, ClientHello(Hello{SNI: "free247downloads.com.example.net", ALPN: []string{"h2"}}),
		ServerFlight(Cert("free247downloads.com.example.net", []string{"free247downloads.com.example.net"}, "Let's Encrypt R11")))
	g.TCP(phone, clean, 50008, 80, HTTPRequest("GET", "coazoa.com.au", "/", "curl/8.5"), nil)

	// Beaconing to a suspicious TLD every 60 s.
	beaconIP := Addr("203.0.113.50")
	g.DNS(phone, resolver, 50009, 5, "api.weather-sync.xyz", nil, beaconIP)
	for i := 0; i < 8; i++ {
		g.Now = DemoStart.Add(time.Duration(10+60*i) * time.Second)
		g.TCP(phone, beaconIP, uint16(50100+i), 443, ClientHello(Hello{SNI: "api.weather-sync.xyz", TLS13: true}), nil)
	}

	// TLS on an unusual port, to an unresolved IP, under a free-DNS name.
	g.Now = DemoStart.Add(9 * time.Minute)
	g.TCP(phone, Addr("198.51.100.20"), 50200, 4444, ClientHello(Hello{SNI: "cam1.duckdns.org"}), nil)

	// An indicator IP contacted directly.
	g.TCP(phone, Addr(PlantedIP), 50201, 443, ClientHello(Hello{}), nil)

	// A fragmented DNS response (IPv4 fragment reassembly).
	frag := Addr("203.0.113.77")
	var cn []string
	for i := 0; i < 30; i++ {
		cn = append(cn, fmt.Sprintf("hop%02d.a-very-long-cdn-name-to-fill-the-packet.example", i))
	}
	resp := UDP(53, 50300, DNSResponse(9, "big.example.org", TypeA, cn, []netip.Addr{frag}))
	g.UDP(phone, resolver, 50300, 53, DNSQuery(9, "big.example.org", TypeA))
	half := (len(resp) / 2) &^ 7
	g.put(IPv4(resolver, phone, 17, 77, 0, true, resp[:half]))
	g.put(IPv4(resolver, phone, 17, 77, half, false, resp[half:]))

	// QUIC: a v1 ClientHello split over two Initial packets naming a Pegasus
	// domain, and a v2 one naming a clean look-alike.
	hello := ClientHelloMsg(Hello{SNI: PlantedQUIC, ALPN: []string{"h3"}, TLS13: true, Padding: 900})
	dcid := []byte{1, 2, 3, 4, 5, 6, 7, 8}
	for i, part := range [][]byte{hello[:700], hello[700:]} {
		pkt, err := QUICInitial(QUICv1, dcid, uint32(i), uint64(i*700), part)
		if err != nil {
			return err
		}
		g.UDP(phone, Addr("203.0.113.80"), 50400, 443, pkt)
	}
	pkt, err := QUICInitial(QUICv2, []byte{9, 9, 9, 9}, 0, 0, ClientHelloMsg(Hello{SNI: "www." + PlantedQUIC + ".example.org", ALPN: []string{"h3"}, TLS13: true}))
	if err != nil {
		return err
	}
	g.UDP(phone, Addr("203.0.113.81"), 50401, 443, pkt)
	g.UDP(phone, Addr("203.0.113.82"), 50402, 443, append([]byte{0xc3, 0, 0, 0, 1, 8}, make([]byte, 1194)...)) // garbage Initial
	if g.Err != nil {
		return g.Err
	}

	// IPv6 over Linux SLL2, nanosecond timestamps.
	g6 := &Gen{W: ng, Iface: 1, Link: SLL2, Now: DemoStart.Add(11 * time.Minute), Step: 1500 * time.Nanosecond}
	p6, r6, s6 := Addr("2001:db8::23"), Addr("2001:db8::1"), Addr("2001:db8:100::7")
	g6.DNS(p6, r6, 50500, 10, "www.wikipedia.org", nil, s6)
	g6.TCP(p6, s6, 50501, 443, ClientHello(Hello{SNI: "www.wikipedia.org", ALPN: []string{"h2"}, TLS13: true}), nil)
	if g6.Err != nil {
		return g6.Err
	}

	// A process named by Apple PKTAP (as in iOS rvictl captures).
	gp := &Gen{W: ng, Iface: 2, Link: PKTAP(PlantedProcess, 321), Now: DemoStart.Add(12 * time.Minute)}
	gp.TCP(phone, Addr("203.0.113.90"), 50600, 443, ClientHello(Hello{SNI: "api.example.com"}), nil)
	if gp.Err != nil {
		return gp.Err
	}
	return ng.Flush()
}
