package dissect_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"os"
	"testing"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// gopacketFrame is one generated frame to decode with both decoders.
type gopacketFrame struct {
	name  string
	link  uint32
	frame []byte
}

// gopacketFrames are the frames compared with gopacket: every link layer
// and tunnel that gopacket's layers also decode.
func gopacketFrames() []gopacketFrame {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	c6, s6 := netgen.Addr("2001:db8::2"), netgen.Addr("2001:db8::1")
	tcp := netgen.TCP(50000, 443, 7, 0, netgen.SYN, []byte("hi"))
	ip4, ip6 := netgen.IP(c, s, 6, tcp), netgen.IP(c6, s6, 6, tcp)
	e4 := netgen.Ends{A: netgen.Addr("192.0.2.1"), B: netgen.Addr("192.0.2.2")}
	e6 := netgen.Ends{A: netgen.Addr("2001:db8:ffff::1"), B: netgen.Addr("2001:db8:ffff::2")}
	eth := netgen.Ethernet
	return []gopacketFrame{
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
}

// gopacketReading is gopacket's reading of one frame: the innermost IP
// endpoints and transport ports, and how many IP layers it found. Frame is
// the SHA-256 of the frame it read.
type gopacketReading struct {
	Name     string     `json:"name"`
	Frame    string     `json:"frame_sha256"`
	Src      netip.Addr `json:"src"`
	Dst      netip.Addr `json:"dst"`
	SrcPort  uint16     `json:"src_port"`
	DstPort  uint16     `json:"dst_port"`
	IPLayers int        `json:"ip_layers"`
}

// gopacketRecording is where gopacket's readings of gopacketFrames are kept.
// gopacket (about 4 CPU-s to compile, more than this package's other tests
// together) is compiled only with -tags gopacket: TestGopacketRecording
// (gopacket_live_test.go) checks the recording against gopacket itself in
// .ci/run, and rewrites it with -update.
const gopacketRecording = "testdata/gopacket-readings.json"

func frameSum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestAgainstGopacket compares the decoding of generated frames with
// gopacket's layers, an independent implementation, wherever gopacket
// reaches the inner packet: the innermost endpoints and ports must agree.
func TestAgainstGopacket(t *testing.T) {
	b, err := os.ReadFile(gopacketRecording)
	if err != nil {
		t.Fatal(err)
	}
	var readings []gopacketReading
	if err := json.Unmarshal(b, &readings); err != nil {
		t.Fatalf("%s: %v", gopacketRecording, err)
	}
	frames := gopacketFrames()
	if len(readings) != len(frames) {
		t.Fatalf("%s has %d readings for %d frames: go test -tags gopacket -run TestGopacketRecording -update", gopacketRecording, len(readings), len(frames))
	}
	d := dissect.NewDecoder()
	compared := 0
	for i, f := range frames {
		g := readings[i]
		if g.Name != f.name || g.Frame != frameSum(f.frame) {
			t.Errorf("%s: the frame is not the one gopacket read (%s): go test -tags gopacket -run TestGopacketRecording -update", f.name, g.Name)
			continue
		}
		var p dissect.Packet
		if err := d.Decode(f.link, f.frame, 0, &p); err != nil {
			t.Errorf("%s: %v", f.name, err)
			continue
		}
		if g.IPLayers == 0 || g.SrcPort == 0 {
			t.Logf("%s: gopacket does not reach the inner packet; not compared", f.name)
			continue
		}
		compared++
		if g.Src != p.Src || g.Dst != p.Dst || g.SrcPort != p.SrcPort || g.DstPort != p.DstPort {
			t.Errorf("%s: gopacket %v:%d -> %v:%d, dissect %v:%d -> %v:%d", f.name, g.Src, g.SrcPort, g.Dst, g.DstPort, p.Src, p.SrcPort, p.Dst, p.DstPort)
		}
		if want := int(p.NTunnels) + 1; g.IPLayers < want && f.name != "pppoe" {
			t.Errorf("%s: gopacket found %d IP layers, dissect %d tunnels", f.name, g.IPLayers, p.NTunnels)
		}
	}
	if compared < len(frames)/2 {
		t.Errorf("only %d of %d frames compared", compared, len(frames))
	}
}
