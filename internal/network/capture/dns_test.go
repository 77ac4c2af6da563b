package capture

import (
	"bytes"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"testing"
	stdtime "time"

	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// findDNS returns the record of name (the one holding addr, when given).
func findDNS(res *Result, name string, addr ...string) *DNSRecord {
	for i := range res.DNS {
		if res.DNS[i].Name == name && (len(addr) == 0 || addr[0] == "" || slices.Contains(res.DNS[i].Addresses, addr[0])) {
			return res.DNS[i]
		}
	}
	return nil
}

// TestDNSAnyPort: DNS is read on any port, over UDP and TCP, by content;
// mDNS announcements (answers without a question) and LLMNR too.
func TestDNSAnyPort(t *testing.T) {
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	g := &netgen.Gen{W: w, Now: netgen.DemoStart, MSS: 30}
	c, r := netgen.Addr("10.0.0.2"), netgen.Addr("10.0.0.53")
	a1, a2, a3 := netgen.Addr("198.51.100.61"), netgen.Addr("198.51.100.62"), netgen.Addr("192.168.1.40")
	// UDP on port 8053
	g.UDP(c, r, 40000, 8053, netgen.DNSQuery(1, "udp8053.example", 1))
	g.UDP(r, c, 8053, 40000, netgen.DNSResponse(1, "udp8053.example", 1, []string{"cdn.udp8053.example"}, []netip.Addr{a1}))
	// TCP on port 9953, messages split over segments
	frame := func(m []byte) []byte { return append([]byte{byte(len(m) >> 8), byte(len(m))}, m...) }
	g.TCP(c, r, 40001, 9953, frame(netgen.DNSQuery(2, "tcp9953.example", 1)), frame(netgen.DNSResponse(2, "tcp9953.example", 1, nil, []netip.Addr{a2})))
	// an answer whose query the capture missed, over TCP on 53
	g.TCPTurns(c, r, 40002, 53, netgen.S(frame(netgen.DNSResponse(3, "reversed.example", 1, nil, []netip.Addr{a2}))))
	// an mDNS announcement: a response without a question
	g.UDP(a3, netgen.Addr("224.0.0.251"), 5353, 5353, netgen.MDNSAnnouncement("printer.local", a3))
	// LLMNR
	g.UDP(c, netgen.Addr("224.0.0.252"), 40003, 5355, netgen.DNSQuery(4, "fileserver", 1))
	// NetBIOS name service: DNS's wire format, a NetBIOS name ("WORKGROUP<1d>"
	// half-ASCII encoded) that is no domain
	const nbName = "fhepfcelehfcepfffacacacacacacabn"
	g.UDP(c, netgen.Addr("10.0.0.255"), 137, 137, netgen.DNSQuery(5, nbName, 32))
	w.Flush()
	res := analyzeBytes(t, buf.Bytes())
	for _, want := range []struct {
		name string
		addr netip.Addr
	}{{"udp8053.example", a1}, {"tcp9953.example", a2}, {"reversed.example", a2}, {"printer.local", a3}, {"fileserver", netip.Addr{}}} {
		rec := findDNS(res, want.name)
		if rec == nil {
			t.Errorf("%s: no record (%+v)", want.name, res.DNS)
			continue
		}
		if want.addr.IsValid() && !slices.Contains(rec.Addresses, want.addr.String()) {
			t.Errorf("%s: addresses %v", want.name, rec.Addresses)
		}
		if obs(res, KindDomain, want.name) == nil {
			t.Errorf("%s not observed", want.name)
		}
	}
	if rec := findDNS(res, nbName); rec != nil || obs(res, KindDomain, nbName) != nil {
		t.Errorf("a NetBIOS name service query was read as DNS: %+v", rec)
	}
	if got := res.ResolvedFrom(a1); !slices.Equal(got, []string{"udp8053.example", "cdn.udp8053.example"}) {
		t.Errorf("%s resolved from %v", a1, got)
	}
}

// TestDNSPartialDatagram: a DNS response in an IP datagram whose last
// fragment never arrives is read as far as it goes, marked partial, and
// the capture is not reported as fully read; IPv6 fragments are
// reassembled.
func TestDNSPartialDatagram(t *testing.T) {
	var cn []string
	for i := 0; i < 40; i++ {
		cn = append(cn, fmt.Sprintf("hop%02d.a-long-cdn-name-that-fills-the-datagram.example", i))
	}
	c, r := netgen.Addr("10.0.0.2"), netgen.Addr("10.0.0.53")
	c6, r6 := netgen.Addr("2001:db8::2"), netgen.Addr("2001:db8::53")
	dgram := netgen.UDP(53, 40000, netgen.DNSResponse(9, "partial.example", 1, cn, []netip.Addr{netgen.Addr("198.51.100.70")}))
	dgram6 := netgen.UDP(53, 40001, netgen.DNSResponse(10, "whole6.example", 28, cn, []netip.Addr{netgen.Addr("2001:db8:70::1")}))
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkRaw, false)
	put := func(i int, b []byte) {
		w.WritePacket(0, netgen.DemoStart.Add(stdtime.Duration(i)*stdtime.Millisecond), b)
	}
	put(0, netgen.IP(c, r, 17, netgen.UDP(40000, 53, netgen.DNSQuery(9, "partial.example", 1))))
	put(1, netgen.IPv4(r, c, 17, 99, 0, true, dgram[:1200])) // the rest never comes
	third := (len(dgram6) / 3) &^ 7
	put(2, netgen.IPv6Fragment(r6, c6, 17, 7, third, true, dgram6[third:2*third])) // out of order
	put(3, netgen.IPv6Fragment(r6, c6, 17, 7, 0, true, dgram6[:third]))
	put(4, netgen.IPv6Fragment(r6, c6, 17, 7, 2*third, false, dgram6[2*third:]))
	w.Flush()
	res := analyzeBytes(t, buf.Bytes())
	rec := findDNS(res, "partial.example")
	if rec == nil || !rec.Partial || rec.Responses != 1 || len(rec.CNAMEs) == 0 {
		t.Fatalf("partial record %+v", rec)
	}
	if o := obs(res, KindDomain, "hop00.a-long-cdn-name-that-fills-the-datagram.example"); o == nil {
		t.Error("CNAME in the partial datagram not observed")
	}
	if res.Summary.UndecodableBy["IP datagrams with fragments missing"] != 1 {
		t.Errorf("undecodable %v", res.Summary.UndecodableBy)
	}
	whole := findDNS(res, "whole6.example")
	if whole == nil || whole.Partial || !slices.Contains(whole.Addresses, "2001:db8:70::1") {
		t.Errorf("IPv6 reassembled record %+v", whole)
	}
}

// TestPublicDNS: DNS that is not on its usual footing, in real captures;
// names and answers as tshark 4.0.17 reads them.
func TestPublicDNS(t *testing.T) {
	tests := []struct{ file, name, addr string }{
		{"suricata-llmnr-udp.pcap", "hs2011", "192.168.10.101"},
		{"suricata-llmnr-tcp.pcap", "workstation", ""},                          // LLMNR over TCP (tshark does not read it)
		{"suricata-dns-reversed-tcp-1.pcap", "www.google.com", ""},              // the answer without its query
		{"suricata-dns-answer-emptydata.pcap", "ad.nwra.com", ""},               // a dynamic update (opcode 5)
		{"zeek-mdns.pcap", "johanna-qemu-virtual-machine.local", "10.0.2.7"},    // mDNS announcement
		{"ndpi-dns_fragmented.pcap", "pa.weberlab.de", "2001:470:1f0b:1024::2"}, // large responses in fragments
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			res := analyzeFile(t, filepath.Join("../testdata/public", tc.file))
			rec := findDNS(res, tc.name, tc.addr)
			if rec == nil {
				t.Fatalf("record for %s: %+v (all %+v)", tc.name, rec, res.DNS)
			}
		})
	}
}
