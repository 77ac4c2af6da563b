package dissect_test

import (
	"bytes"
	"errors"
	"net/netip"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func TestCommunityID(t *testing.T) {
	// Reference vectors of the Community ID v1 specification (seed 0).
	tests := []struct {
		src   string
		sport uint16
		dst   string
		dport uint16
		proto uint8
		want  string
	}{
		{"128.232.110.120", 34855, "66.35.250.204", 80, 6, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		{"192.168.1.52", 54585, "8.8.8.8", 53, 17, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
		{"2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "2607:f8b0:400c:c03::1a", 25, 6, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	}
	for _, tc := range tests {
		s, d := netip.MustParseAddr(tc.src), netip.MustParseAddr(tc.dst)
		if got := dissect.CommunityID(s, d, tc.sport, tc.dport, tc.proto); got != tc.want {
			t.Errorf("%s:%d -> %s:%d = %s, want %s", tc.src, tc.sport, tc.dst, tc.dport, got, tc.want)
		}
		if got := dissect.CommunityID(d, s, tc.dport, tc.sport, tc.proto); got != tc.want {
			t.Errorf("reverse of %s = %s, want %s", tc.src, got, tc.want)
		}
	}
}

func TestDecodeLinkTypes(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	c6, s6 := netgen.Addr("2001:db8::2"), netgen.Addr("2001:db8::1")
	tcp := netgen.TCP(50000, 443, 7, 0, netgen.SYN, []byte("hi"))
	ip4 := netgen.IP(c, s, 6, tcp)
	ip6 := netgen.IP(c6, s6, 6, tcp)
	dot := func(o netgen.Dot11Options, ip []byte) []byte { return netgen.Dot11(o, ip) }
	tests := []struct {
		name string
		link uint32
		data []byte
		src  netip.Addr
		proc string
	}{
		{"ethernet", pcapfile.LinkEthernet, netgen.Ethernet(ip4), c, ""},
		{"ethernet vlan", pcapfile.LinkEthernet, netgen.EthernetVLAN(ip4), c, ""},
		{"ethernet qinq", pcapfile.LinkEthernet, netgen.EthernetTags([2]uint16{0x88a8, 10}, [2]uint16{0x8100, 20})(ip4), c, ""},
		{"ethernet ipv6", pcapfile.LinkEthernet, netgen.Ethernet(ip6), c6, ""},
		{"802.3 llc/snap", pcapfile.LinkEthernet, netgen.Ethernet8023(ip4), c, ""},
		{"mpls", pcapfile.LinkEthernet, netgen.MPLS(16, 17)(ip6), c6, ""},
		{"macsec integrity only", pcapfile.LinkEthernet, netgen.MACsec(false)(ip4), c, ""},
		{"sll", pcapfile.LinkSLL, netgen.SLL(ip4), c, ""},
		{"sll2", pcapfile.LinkSLL2, netgen.SLL2(ip6), c6, ""},
		{"null", pcapfile.LinkNull, netgen.Null(ip4), c, ""},
		{"null ipv6", pcapfile.LinkNull, netgen.Null(ip6), c6, ""},
		{"null ipv6 freebsd", pcapfile.LinkNull, netgen.NullAF(28, false)(ip6), c6, ""},
		{"null ipv6 openbsd big-endian", pcapfile.LinkNull, netgen.NullAF(24, true)(ip6), c6, ""},
		{"null ipv6 linux", pcapfile.LinkNull, netgen.NullAF(10, false)(ip6), c6, ""},
		{"loop", pcapfile.LinkLoop, netgen.NullAF(24, true)(ip4), c, ""},
		{"enc", pcapfile.LinkEnc, netgen.Enc(ip4), c, ""},
		{"pflog", pcapfile.LinkPFLog, netgen.PFLog(ip6), c6, ""},
		{"ipnet", pcapfile.LinkIPNet, netgen.IPNet(ip6), c6, ""},
		{"nflog", pcapfile.LinkNFLog, netgen.NFLog(ip4), c, ""},
		{"raw", pcapfile.LinkRaw, ip4, c, ""},
		{"raw ipv6 (228/229)", pcapfile.LinkIPv6, ip6, c6, ""},
		{"ppp", pcapfile.LinkPPP, netgen.PPP(ip4), c, ""},
		{"ppp compressed", pcapfile.LinkPPP, netgen.PPPCompressed(ip6), c6, ""},
		{"ppp in hdlc-like framing (50)", pcapfile.LinkPPPHDLC, netgen.PPP(ip6), c6, ""},
		{"cisco hdlc under 50", pcapfile.LinkPPPHDLC, netgen.CiscoHDLC(ip4), c, ""},
		{"cisco hdlc", pcapfile.LinkCHDLC, netgen.CiscoHDLC(ip6), c6, ""},
		{"fddi", pcapfile.LinkFDDI, netgen.FDDI(ip4), c, ""},
		{"802.11", pcapfile.LinkIEEE80211, dot(netgen.Dot11Options{}, ip4), c, ""},
		{"802.11 qos four addresses", pcapfile.LinkIEEE80211, dot(netgen.Dot11Options{QoS: true, FourAddr: true}, ip6), c6, ""},
		{"radiotap", pcapfile.LinkRadiotap, netgen.Radiotap(dot(netgen.Dot11Options{QoS: true}, ip4), false), c, ""},
		{"radiotap with fcs", pcapfile.LinkRadiotap, netgen.Radiotap(dot(netgen.Dot11Options{FCS: true}, ip4), true), c, ""},
		{"prism", pcapfile.LinkPrism, netgen.Prism(dot(netgen.Dot11Options{}, ip4)), c, ""},
		{"avs", pcapfile.LinkAVS, netgen.AVS(dot(netgen.Dot11Options{}, ip6)), c6, ""},
		{"avs under prism", pcapfile.LinkPrism, netgen.AVS(dot(netgen.Dot11Options{}, ip6)), c6, ""},
		{"ppi 802.11 with fcs", pcapfile.LinkPPI, netgen.PPI(105, dot(netgen.Dot11Options{FCS: true}, ip4), true), c, ""},
		{"ppi ethernet", pcapfile.LinkPPI, netgen.PPI(1, netgen.Ethernet(ip4), false), c, ""},
		{"pppoe session", pcapfile.LinkPPPEther, netgen.PPPoE(7)(ip4)[14:], c, ""},
		{"pktap", pcapfile.LinkPKTAP, netgen.PKTAP("Signal", 42)(ip4), c, "Signal"},
	}
	d := dissect.NewDecoder()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p dissect.Packet
			if err := d.Decode(tc.link, tc.data, 0, &p); err != nil {
				t.Fatal(err)
			}
			if p.Src != tc.src || p.Proto != 6 || p.SrcPort != 50000 || p.DstPort != 443 ||
				p.TCPFlags != netgen.SYN || string(p.Payload) != "hi" || string(p.Process) != tc.proc {
				t.Errorf("got %+v", p)
			}
		})
	}
	var p dissect.Packet
	if err := d.Decode(999, ip4, 0, &p); err != dissect.ErrUnknownLink {
		t.Errorf("unknown link: %v", err)
	}
	if err := d.Decode(pcapfile.LinkEthernet, netgen.Ethernet(ip4)[:30], 0, &p); err == nil {
		t.Error("truncated IP header decoded")
	}
}

// TestDecodeNotIP: frames that are read but carry no IP, and frames that
// cannot be read, each with its own outcome.
func TestDecodeNotIP(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	ip4 := netgen.IP(c, s, 17, netgen.UDP(5000, 53, []byte("x")))
	arp := append([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06}, make([]byte, 28)...)
	stp := append([]byte{1, 0x80, 0xc2, 0, 0, 0, 2, 0, 0, 0, 0, 1, 0, 38, 0x42, 0x42, 0x03}, make([]byte, 35)...)
	lcp := []byte{0xff, 0x03, 0xc0, 0x21, 1, 1, 0, 4}
	vj := []byte{0xff, 0x03, 0x00, 0x2d, 1, 2, 3, 4}
	tests := []struct {
		name        string
		link        uint32
		data        []byte
		want        error
		undecodable bool
	}{
		{"arp", pcapfile.LinkEthernet, arp, dissect.ErrNotIP, false},
		{"spanning tree", pcapfile.LinkEthernet, stp, dissect.ErrLLC, false},
		{"ppp lcp", pcapfile.LinkPPP, lcp, dissect.ErrLinkControl, false},
		{"ppp van jacobson", pcapfile.LinkPPP, vj, dissect.ErrCompressed, true},
		{"802.11 beacon", pcapfile.LinkRadiotap, netgen.Radiotap(netgen.Dot11Beacon(), false), dissect.ErrNotData80211, false},
		{"802.11 protected", pcapfile.LinkRadiotap, netgen.Radiotap(netgen.Dot11(netgen.Dot11Options{Protected: true}, ip4), false), dissect.ErrProtected80211, true},
		{"macsec encrypted", pcapfile.LinkEthernet, netgen.MACsec(true)(ip4), dissect.ErrMACsec, true},
		{"unknown link", 195, ip4, dissect.ErrUnknownLink, true},
		{"radiotap too long", pcapfile.LinkRadiotap, []byte{0, 0, 0xff, 0, 0, 0, 0, 0}, dissect.ErrBadRadio, true},
	}
	d := dissect.NewDecoder()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p dissect.Packet
			err := d.Decode(tc.link, tc.data, 0, &p)
			if err != tc.want {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			var de *dissect.Error
			if !errors.As(err, &de) || de.Undecodable != tc.undecodable {
				t.Errorf("undecodable %v, want %v", de, tc.undecodable)
			}
		})
	}
	// a bad-FCS radiotap frame is refused
	rt := netgen.Radiotap(netgen.Dot11(netgen.Dot11Options{FCS: true}, ip4), true)
	rt[16] |= 0x40
	var p dissect.Packet
	if err := d.Decode(pcapfile.LinkRadiotap, rt, 0, &p); err != dissect.ErrBadFCS80211 {
		t.Errorf("bad FCS: %v", err)
	}
}

// TestDecodeAMSDU: every subframe of an 802.11 A-MSDU is delivered.
func TestDecodeAMSDU(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	var ips [][]byte
	for i := 0; i < 3; i++ {
		ips = append(ips, netgen.IP(c, s, 17, netgen.UDP(uint16(5000+i), 53, bytes.Repeat([]byte{'a'}, i+1))))
	}
	frame := netgen.Radiotap(netgen.Dot11(netgen.Dot11Options{FCS: true}, ips...), true)
	d := dissect.NewDecoder()
	var p dissect.Packet
	var ports []uint16
	for err := d.Decode(pcapfile.LinkRadiotap, frame, 0, &p); ; err = d.Next(&p) {
		if err != nil {
			t.Fatal(err)
		}
		ports = append(ports, p.SrcPort)
		if !d.More() {
			break
		}
	}
	if !slices.Equal(ports, []uint16{5000, 5001, 5002}) {
		t.Fatalf("subframes %v", ports)
	}
}

type wantTunnel struct {
	kind dissect.TunnelKind
	id   uint32
}

func TestDecodeTunnels(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	c6, s6 := netgen.Addr("2001:db8::2"), netgen.Addr("2001:db8::1")
	tcp := netgen.TCP(50000, 443, 7, 0, netgen.SYN, []byte("hi"))
	ip4, ip6 := netgen.IP(c, s, 6, tcp), netgen.IP(c6, s6, 6, tcp)
	e4 := netgen.Ends{A: netgen.Addr("192.0.2.1"), B: netgen.Addr("192.0.2.2")}
	e6 := netgen.Ends{A: netgen.Addr("2001:db8:ffff::1"), B: netgen.Addr("2001:db8:ffff::2")}
	eth := netgen.Ethernet
	tests := []struct {
		name    string
		frame   []byte
		src     netip.Addr
		tunnels []wantTunnel
	}{
		{"ipip", netgen.Via(eth, netgen.IPinIP(e4))(ip4), c, []wantTunnel{{dissect.TunnelIPinIP, 0}}},
		{"6in4", netgen.Via(eth, netgen.IPinIP(e4))(ip6), c6, []wantTunnel{{dissect.Tunnel6in4, 0}}},
		{"4in6", netgen.Via(eth, netgen.IPinIP(e6))(ip4), c, []wantTunnel{{dissect.Tunnel4in6, 0}}},
		{"6in6", netgen.Via(eth, netgen.IPinIP(e6))(ip6), c6, []wantTunnel{{dissect.Tunnel6in6, 0}}},
		{"gre", netgen.Via(eth, netgen.GRE(e4, 0))(ip4), c, []wantTunnel{{dissect.TunnelGRE, 0}}},
		{"gre key over ipv6", netgen.Via(eth, netgen.GRE(e6, 42))(ip6), c6, []wantTunnel{{dissect.TunnelGRE, 42}}},
		{"erspan type I", netgen.Via(eth, netgen.ERSPAN(e4, 1, 0))(ip4), c, []wantTunnel{{dissect.TunnelERSPAN, 0}}},
		{"erspan type II", netgen.Via(eth, netgen.ERSPAN(e4, 2, 300))(ip4), c, []wantTunnel{{dissect.TunnelERSPAN, 300}}},
		{"erspan type III", netgen.Via(eth, netgen.ERSPAN(e4, 3, 5))(ip6), c6, []wantTunnel{{dissect.TunnelERSPAN, 5}}},
		{"pptp", netgen.Via(eth, netgen.PPTP(e4, 9))(ip4), c, []wantTunnel{{dissect.TunnelPPTP, 0}}},
		{"vxlan", netgen.Via(eth, netgen.VXLAN(e4, 4242))(ip4), c, []wantTunnel{{dissect.TunnelVXLAN, 4242}}},
		// reserved flag bits and bytes set: ignored on receipt (RFC 7348)
		{"vxlan reserved bits", func() []byte {
			f := netgen.Via(eth, netgen.VXLAN(e4, 4242))(ip4)
			f[42], f[43], f[45], f[49] = 0xff, 0xff, 0xff, 0xff // Ethernet 14 + IPv4 20 + UDP 8
			return f
		}(), c, []wantTunnel{{dissect.TunnelVXLAN, 4242}}},
		{"geneve", netgen.Via(eth, netgen.Geneve(e6, 77))(ip4), c, []wantTunnel{{dissect.TunnelGeneve, 77}}},
		{"gtp-u", netgen.Via(eth, netgen.GTPU(e4, 0xabcdef01, false))(ip4), c, []wantTunnel{{dissect.TunnelGTPU, 0xabcdef01}}},
		{"gtp-u with extension header", netgen.Via(eth, netgen.GTPU(e4, 1, true))(ip6), c6, []wantTunnel{{dissect.TunnelGTPU, 1}}},
		{"capwap 802.11", netgen.Via(eth, netgen.CAPWAP(e4, true))(ip4), c, []wantTunnel{{dissect.TunnelCAPWAP, 0}}},
		{"capwap 802.3", netgen.Via(eth, netgen.CAPWAP(e4, false))(ip6), c6, []wantTunnel{{dissect.TunnelCAPWAP, 0}}},
		{"teredo", netgen.Via(eth, netgen.Teredo(e4))(ip6), c6, []wantTunnel{{dissect.TunnelTeredo, 0}}},
		{"l2tp", netgen.Via(eth, netgen.L2TP(e4, 3, 4))(ip4), c, []wantTunnel{{dissect.TunnelL2TP, 3<<16 | 4}}},
		{"pppoe", netgen.PPPoE(0x1234)(ip4), c, []wantTunnel{{dissect.TunnelPPPoE, 0x1234}}},
		{"pppoe qinq", netgen.PPPoE(0x99, [2]uint16{0x88a8, 100}, [2]uint16{0x8100, 200})(ip6), c6, []wantTunnel{{dissect.TunnelPPPoE, 0x99}}},
		{"gre erspan vxlan", netgen.Via(eth, netgen.ERSPAN(e4, 2, 1), netgen.VXLAN(e6, 9))(ip4), c,
			[]wantTunnel{{dissect.TunnelERSPAN, 1}, {dissect.TunnelVXLAN, 9}}},
		{"gtp in gre in pppoe", netgen.Via(netgen.PPPoE(3), netgen.GRE(e4, 0), netgen.GTPU(e6, 5, false))(ip4), c,
			[]wantTunnel{{dissect.TunnelPPPoE, 3}, {dissect.TunnelGRE, 0}, {dissect.TunnelGTPU, 5}}},
	}
	d := dissect.NewDecoder()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p dissect.Packet
			if err := d.Decode(pcapfile.LinkEthernet, tc.frame, 0, &p); err != nil {
				t.Fatal(err)
			}
			if p.Src != tc.src || p.Proto != 6 || p.SrcPort != 50000 || p.DstPort != 443 || string(p.Payload) != "hi" {
				t.Errorf("inner packet %v:%d -> %v:%d proto %d payload %q", p.Src, p.SrcPort, p.Dst, p.DstPort, p.Proto, p.Payload)
			}
			var got []wantTunnel
			for _, tn := range p.TunnelPath() {
				got = append(got, wantTunnel{tn.Kind, tn.ID})
				if tn.Kind != dissect.TunnelPPPoE && (!tn.Src.IsValid() || !tn.Dst.IsValid()) {
					t.Errorf("tunnel %v without endpoints", tn.Kind)
				}
			}
			if !slices.Equal(got, tc.tunnels) {
				t.Errorf("tunnels %v, want %v", got, tc.tunnels)
			}
		})
	}
}

// TestTunnelPortWithoutTunnel: a datagram on a tunnel port that holds no
// valid tunnel is read as plain UDP, not dropped.
func TestTunnelPortWithoutTunnel(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	for _, port := range []uint16{4789, 6081, 2152, 5247, 3544, 1701, 4790, 8472} {
		frame := netgen.Ethernet(netgen.IP(c, s, 17, netgen.UDP(40000, port, []byte("not a tunnel header at all"))))
		var p dissect.Packet
		if err := dissect.NewDecoder().Decode(pcapfile.LinkEthernet, frame, 0, &p); err != nil {
			t.Fatalf("port %d: %v", port, err)
		}
		if p.NTunnels != 0 || p.DstPort != port || string(p.Payload) != "not a tunnel header at all" {
			t.Errorf("port %d: %+v", port, p)
		}
	}
}

func TestDefrag(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	payload := netgen.UDP(53, 5000, bytes.Repeat([]byte("abcdefgh"), 300))
	frags := [][]byte{
		netgen.IPv4(s, c, 17, 9, 1600, false, payload[1600:]),
		netgen.IPv4(s, c, 17, 9, 0, true, payload[:800]),
		netgen.IPv4(s, c, 17, 9, 800, true, payload[800:1600]),
		netgen.IPv4(s, c, 17, 9, 0, true, payload[:800]), // duplicate after completion
	}
	d := dissect.NewDecoder()
	var p dissect.Packet
	var done int
	for i, f := range frags[:3] {
		err := d.Decode(pcapfile.LinkRaw, f, int64(i), &p)
		if err == nil {
			done++
			if !p.Reassembled || len(p.Payload) != len(payload)-8 || p.SrcPort != 53 {
				t.Errorf("reassembled %d bytes", len(p.Payload))
			}
		} else if err != dissect.ErrFragment {
			t.Fatal(err)
		}
	}
	if done != 1 || d.Defrag.Reassembled != 1 || d.Defrag.Pending() != 0 {
		t.Fatalf("done %d, stats %+v", done, d.Defrag)
	}
	// a lone first fragment stays pending, bounded, and expires
	d.Decode(pcapfile.LinkRaw, frags[3], 0, &p)
	if d.Defrag.Pending() != 1 {
		t.Fatal("fragment not held")
	}
	d.Decode(pcapfile.LinkRaw, netgen.IPv4(s, c, 17, 10, 0, true, payload[:800]), 60e9, &p)
	if d.Defrag.Expired != 1 {
		t.Errorf("expired %d", d.Defrag.Expired)
	}
	small := dissect.NewDefragmenter(2, 1000)
	for i := uint32(0); i < 5; i++ {
		small.Add(c, s, 17, i, 0, true, make([]byte, 400), 0)
	}
	if small.Pending() > 2 || small.Dropped == 0 {
		t.Errorf("bounds not enforced: pending %d dropped %d", small.Pending(), small.Dropped)
	}
}

func TestStream(t *testing.T) {
	s := &dissect.Stream{Cap: 12}
	s.SYN(99)
	s.Add(106, []byte("fgh"))  // ahead of a hole: held
	s.Add(100, []byte("abc"))  // in order
	s.Add(100, []byte("abc"))  // retransmission
	s.Add(103, []byte("de"))   // in order; "fgh" still waits for byte 105
	s.Add(105, []byte("EFGH")) // overlaps the held segment: first copy of 105..108 wins here
	if string(s.Data) != "abcdeEFGH" || s.Full {
		t.Fatalf("data %q full %v", s.Data, s.Full)
	}
	s.Add(112, []byte("zz"))     // ahead of a hole
	s.Add(109, []byte("123456")) // fills the hole and reaches the cap
	if string(s.Data) != "abcdeEFGH123" || !s.Full {
		t.Fatalf("data %q full %v", s.Data, s.Full)
	}
	if s.Add(121, []byte("more")) {
		t.Fatal("grew beyond its cap")
	}
	// a segment exactly 2^31 behind (found by fuzzing the whole pass)
	w := &dissect.Stream{Cap: 64}
	w.Add(0x80000000, []byte("a"))
	if w.Add(0, []byte("bb")) && len(w.Data) > 64 {
		t.Fatal("bad append")
	}
}

func FuzzDecode(f *testing.F) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	tcp := netgen.IP(c, s, 6, netgen.TCP(1, 2, 3, 4, netgen.ACK, []byte("x")))
	udp := netgen.IP(c, s, 17, netgen.UDP(1, 2, []byte("y")))
	ip6 := netgen.IP(netgen.Addr("2001:db8::1"), netgen.Addr("2001:db8::2"), 17, netgen.UDP(1, 2, nil))
	e4 := netgen.Ends{A: netgen.Addr("192.0.2.1"), B: netgen.Addr("192.0.2.2")}
	eth := netgen.Ethernet
	f.Add(uint32(1), netgen.Ethernet(tcp))
	f.Add(uint32(258), netgen.PKTAP("a", 1)(udp))
	f.Add(uint32(101), netgen.IPv4(c, s, 17, 1, 8, false, []byte("12345678")))
	f.Add(uint32(276), netgen.SLL2(netgen.IP(netgen.Addr("::1"), netgen.Addr("::2"), 44, make([]byte, 16))))
	f.Add(uint32(netgen.LinkRadiotap), netgen.Radiotap(netgen.Dot11(netgen.Dot11Options{FCS: true}, tcp, udp), true))
	f.Add(uint32(netgen.LinkPPI), netgen.PPI(105, netgen.Dot11(netgen.Dot11Options{QoS: true}, ip6), false))
	f.Add(uint32(netgen.LinkPrism), netgen.Prism(netgen.Dot11(netgen.Dot11Options{}, tcp)))
	f.Add(uint32(netgen.LinkNFLog), netgen.NFLog(udp))
	f.Add(uint32(netgen.LinkPPP), netgen.PPP(ip6))
	f.Add(uint32(netgen.LinkCHDLC), netgen.CiscoHDLC(tcp))
	f.Add(uint32(1), netgen.PPPoE(5, [2]uint16{0x88a8, 1}, [2]uint16{0x8100, 2})(tcp))
	f.Add(uint32(1), netgen.MPLS(1, 2)(udp))
	f.Add(uint32(1), netgen.Via(eth, netgen.ERSPAN(e4, 2, 7), netgen.VXLAN(e4, 1))(tcp))
	f.Add(uint32(1), netgen.Via(eth, netgen.GTPU(e4, 9, true))(ip6))
	f.Add(uint32(1), netgen.Via(eth, netgen.CAPWAP(e4, true))(udp))
	f.Add(uint32(1), netgen.Via(eth, netgen.Teredo(e4))(ip6))
	f.Add(uint32(1), netgen.Via(eth, netgen.L2TP(e4, 1, 2), netgen.PPTP(e4, 3))(tcp))
	f.Add(uint32(1), netgen.Via(eth, netgen.Geneve(e4, 3), netgen.IPinIP(e4))(ip6))
	f.Fuzz(func(t *testing.T, link uint32, b []byte) {
		d := dissect.NewDecoder()
		var p dissect.Packet
		for i := 0; i < 3; i++ {
			_ = d.Decode(link, b, int64(i), &p)
			for n := 0; d.More(); n++ {
				if n > len(b)/14 { // each A-MSDU subframe takes at least 14 bytes
					t.Fatalf("%d subframes from %d bytes", n, len(b))
				}
				_ = d.Next(&p)
			}
			if p.NTunnels > dissect.MaxTunnels {
				t.Fatalf("%d tunnels recorded", p.NTunnels)
			}
		}
		d.Defrag.Flush()
		for _, inc := range d.Defrag.TakeIncomplete() {
			if len(inc.Data) > 65535 {
				t.Fatalf("incomplete datagram of %d bytes", len(inc.Data))
			}
		}
	})
}

func FuzzStream(f *testing.F) {
	f.Add(uint32(1), []byte("abc"), uint32(5), []byte("defg"), uint32(2), []byte("zz"))
	f.Fuzz(func(t *testing.T, s1 uint32, d1 []byte, s2 uint32, d2 []byte, s3 uint32, d3 []byte) {
		s := &dissect.Stream{Cap: 64}
		s.Add(s1, d1)
		s.Add(s2, d2)
		s.Add(s3, d3)
		if len(s.Data) > 64 {
			t.Fatalf("stream grew to %d", len(s.Data))
		}
	})
}

// BenchmarkDecode is the per-packet decode of an Ethernet/IPv4/TCP segment
// of 1448 bytes into a preallocated Packet; it must not allocate.
func BenchmarkDecode(b *testing.B) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	frame := netgen.Ethernet(netgen.IP(c, s, 6, netgen.TCP(50000, 443, 1, 1, netgen.ACK, make([]byte, 1448))))
	d := dissect.NewDecoder()
	var p dissect.Packet
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Decode(pcapfile.LinkEthernet, frame, 0, &p); err != nil {
			b.Fatal(err)
		}
		_, _ = dissect.KeyOf(&p)
	}
}

func TestDecodeDoesNotAllocate(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("2001:db8::1")
	frames := [][]byte{
		netgen.Ethernet(netgen.IP(c, netgen.Addr("198.51.100.1"), 6, netgen.TCP(1, 443, 1, 1, netgen.ACK, make([]byte, 100)))),
		netgen.SLL2(netgen.IP(netgen.Addr("2001:db8::2"), s, 17, netgen.UDP(1, 53, make([]byte, 40)))),
	}
	d := dissect.NewDecoder()
	var p dissect.Packet
	allocs := testing.AllocsPerRun(100, func() {
		d.Decode(pcapfile.LinkEthernet, frames[0], 0, &p)
		d.Decode(pcapfile.LinkSLL2, frames[1], 0, &p)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per decode", allocs)
	}
}
