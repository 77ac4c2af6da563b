//go:build gopacket

package dissect_test

import (
	"net/netip"
	"testing"

	"github.com/gopacket/gopacket"
	"github.com/gopacket/gopacket/layers"

	"github.com/spyscan/spyscan/internal/golden"
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

// TestGopacketRecording decodes gopacketFrames with gopacket itself and
// compares its readings with the recording TestAgainstGopacket uses
// (-update rewrites it). .ci/run runs it: go test -tags gopacket -run
// TestGopacketRecording ./internal/network/dissect.
func TestGopacketRecording(t *testing.T) {
	var readings []gopacketReading
	for _, f := range gopacketFrames() {
		src, dst, sp, dp, n := innermost(f.link, f.frame)
		readings = append(readings, gopacketReading{Name: f.name, Frame: frameSum(f.frame),
			Src: src, Dst: dst, SrcPort: sp, DstPort: dp, IPLayers: n})
	}
	golden.JSON(t, gopacketRecording, readings)
}
