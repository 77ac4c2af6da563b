package dissect

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/netip"
)

// FlowKey identifies a bidirectional flow: A is the lower endpoint, so both
// directions map to the same key.
type FlowKey struct {
	A, B         netip.Addr
	APort, BPort uint16
	Proto        uint8
	Tunnel       uint32 // the caller's identifier of the tunnel path (0: none); KeyOf leaves it 0
}

// KeyOf returns the canonical key of p and whether p goes from A to B.
func KeyOf(p *Packet) (FlowKey, bool) {
	c := p.Src.Compare(p.Dst)
	if c < 0 || (c == 0 && p.SrcPort <= p.DstPort) {
		return FlowKey{p.Src, p.Dst, p.SrcPort, p.DstPort, p.Proto, 0}, true
	}
	return FlowKey{p.Dst, p.Src, p.DstPort, p.SrcPort, p.Proto, 0}, false
}

// CommunityID returns the Community ID v1 (seed 0) of a flow, as
// "1:<base64 SHA-1>". The endpoints may be given in either order.
func CommunityID(src, dst netip.Addr, sport, dport uint16, proto uint8) string {
	// order: smaller address first; on a tie, smaller port first
	c := src.Compare(dst)
	if c > 0 || (c == 0 && sport > dport) {
		src, dst, sport, dport = dst, src, dport, sport
	}
	var buf [2 + 16 + 16 + 2 + 4]byte
	b := buf[:0]
	b = binary.BigEndian.AppendUint16(b, 0) // seed
	s, d := src.Unmap(), dst.Unmap()
	b = append(b, s.AsSlice()...)
	b = append(b, d.AsSlice()...)
	b = append(b, proto, 0)
	switch proto {
	case ProtoTCP, ProtoUDP, 132:
		b = binary.BigEndian.AppendUint16(b, sport)
		b = binary.BigEndian.AppendUint16(b, dport)
	}
	h := sha1.Sum(b)
	return "1:" + base64.StdEncoding.EncodeToString(h[:])
}

// ProtoName names an IP protocol.
func ProtoName(p uint8) string {
	switch p {
	case ProtoTCP:
		return "tcp"
	case ProtoUDP:
		return "udp"
	case ProtoICMP:
		return "icmp"
	case ProtoICMPv6:
		return "icmpv6"
	}
	return fmt.Sprintf("ip-proto-%d", p)
}

// Endpoint formats an address and port ("[v6]:port" for IPv6).
func Endpoint(a netip.Addr, port uint16) string {
	return netip.AddrPortFrom(a, port).String()
}
