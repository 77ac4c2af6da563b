package dissect_test

import (
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// innermost returns gopacket's reading of a frame: the innermost IP
// endpoints and transport ports, and how many IP layers it found.
func innermost(link uint32, frame []byte) (src, dst netip.Addr, sport, dport uint16, ipLayers int) {
	pkt := gopacket.NewPacket(frame, layers.LinkType(link), gopacket.Default)
	for _, l := range pkt.Layers() {
		switch v := l.(type) {
		case *layers.IPv4:
			src, _ = netip.AddrFromSlice(v.SrcIP.To4())
			dst, _ = netip.AddrFromSlice(v.DstIP.To4())
			ipLayers++
		case *layers.IPv6:
			src, _ = netip.AddrFromSlice(v.SrcIP)
			dst, _ = netip.AddrFromSlice(v.DstIP)
			ipLayers++
		case *layers.TCP:
			sport, dport = uint16(v.SrcPort), uint16(v.DstPort)
		case *layers.UDP:
			sport, dport = uint16(v.SrcPort), uint16(v.DstPort)
		}
	}
	return
}

// TestAgainstGopacket decodes the same generated frames with gopacket's
// layers, an independent implementation, wherever gopacket reaches the inner
// packet: the innermost endpoints and ports must agree.
func TestAgainstGopacket(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	c6, s6 := netgen.Addr("2001:db8::2"), netgen.Addr("2001:db8::1")
	tcp := netgen.TCP(50000, 443, 7, 0, netgen.SYN, []byte("hi"))
	ip4, ip6 := netgen.IP(c, s, 6, tcp), netgen.IP(c6, s6, 6, tcp)
	e4 := netgen.Ends{A: netgen.Addr("192.0.2.1"), B: netgen.Addr("192.0.2.2")}
	e6 := netgen.Ends{A: netgen.Addr("2001:db8:ffff::1"), B: netgen.Addr("2001:db8:ffff::2")}
	eth := netgen.Ethernet
	frames := []struct {
		name  string
		link  uint32
		frame []byte
	}{
		{"vlan", 1, netgen.EthernetVLAN(ip4)},
		{"qinq", 1, netgen.EthernetTags([2]uint16{0x88a8, 10}, [2]uint16{0x8100, 20})(ip6)},
		{"mpls", 1, netgen.MPLS(16, 17)(ip4)},
		{"sll", pcapfile.LinkSLL, netgen.SLL(ip4)},
		{"sll2", pcapfile.LinkSLL2, netgen.SLL2(ip6)},
		{"null", pcapfile.LinkNull, netgen.Null(ip4)},
		{"loop", pcapfile.LinkLoop, netgen.NullAF(24, true)(ip4)},
		{"ppp", pcapfile.LinkPPP, netgen.PPP(ip4)},
		{"ppp serial", pcapfile.LinkPPPHDLC, netgen.PPP(ip4)},
		{"802.11", pcapfile.LinkIEEE80211, netgen.Dot11(netgen.Dot11Options{}, ip4)},
		{"radiotap", pcapfile.LinkRadiotap, netgen.Radiotap(netgen.Dot11(netgen.Dot11Options{QoS: true}, ip4), false)},
		{"prism", pcapfile.LinkPrism, netgen.Prism(netgen.Dot11(netgen.Dot11Options{}, ip6))},
		{"ipip", 1, netgen.Via(eth, netgen.IPinIP(e4))(ip4)},
		{"6in4", 1, netgen.Via(eth, netgen.IPinIP(e4))(ip6)},
		{"4in6", 1, netgen.Via(eth, netgen.IPinIP(e6))(ip4)},
		{"gre", 1, netgen.Via(eth, netgen.GRE(e4, 7))(ip4)},
		{"erspan II", 1, netgen.Via(eth, netgen.ERSPAN(e4, 2, 3))(ip4)},
		{"vxlan", 1, netgen.Via(eth, netgen.VXLAN(e4, 4242))(ip6)},
		{"geneve", 1, netgen.Via(eth, netgen.Geneve(e4, 5))(ip4)},
		{"gtp-u", 1, netgen.Via(eth, netgen.GTPU(e4, 9, false))(ip4)},
		{"pppoe", 1, netgen.PPPoE(0x1234)(ip4)},
		{"gre erspan vxlan", 1, netgen.Via(eth, netgen.ERSPAN(e4, 2, 1), netgen.VXLAN(e6, 9))(ip4)},
	}
	d := dissect.NewDecoder()
	compared := 0
	for _, f := range frames {
		var p dissect.Packet
		if err := d.Decode(f.link, f.frame, 0, &p); err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		src, dst, sp, dp, n := innermost(f.link, f.frame)
		if n == 0 || sp == 0 {
			t.Logf("%s: gopacket does not reach the inner packet; not compared", f.name)
			continue
		}
		compared++
		if src != p.Src || dst != p.Dst || sp != p.SrcPort || dp != p.DstPort {
			t.Errorf("%s: gopacket %v:%d -> %v:%d, dissect %v:%d -> %v:%d", f.name, src, sp, dst, dp, p.Src, p.SrcPort, p.Dst, p.DstPort)
		}
		if want := int(p.NTunnels) + 1; n < want && f.name != "pppoe" {
			t.Errorf("%s: gopacket found %d IP layers, dissect %d tunnels", f.name, n, p.NTunnels)
		}
	}
	if compared < len(frames)/2 {
		t.Errorf("only %d of %d frames compared", compared, len(frames))
	}
}
