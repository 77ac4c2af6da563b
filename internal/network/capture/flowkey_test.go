package capture

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/spyscan/spyscan/internal/network/dissect"
)

// packKey is the reference packPacket is held to: KeyOf's key, packed
// field by field.
func packKey(k *dissect.FlowKey) tableKey {
	t := tableKey{a: k.A.As16(), b: k.B.As16(), aPort: k.APort, bPort: k.BPort, proto: k.Proto, tunnel: k.Tunnel}
	if k.A.Is4() {
		t.bits |= 1
	}
	if k.B.Is4() {
		t.bits |= 2
	}
	return t
}

// TestPackPacketAsKeyOf holds packPacket to packKey(KeyOf) and KeyOf's
// direction: equal addresses and ports, IPv4 against the same address
// mapped into IPv6, the zero address, addresses differing in the low or
// high half, and random pairs.
func TestPackPacketAsKeyOf(t *testing.T) {
	a4, b4 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	m4 := netip.MustParseAddr("::ffff:192.0.2.1")
	a6, b6 := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db9::1")
	lo6 := netip.MustParseAddr("::1")
	cases := []struct {
		name     string
		src, dst netip.Addr
		sp, dp   uint16
	}{
		{"v4 ascending", a4, b4, 1000, 443},
		{"v4 descending", b4, a4, 443, 1000},
		{"same address, ports ascending", a4, a4, 1, 2},
		{"same address, ports descending", a4, a4, 2, 1},
		{"same address and port", a4, a4, 7, 7},
		{"v4 against the same address in v6", a4, m4, 53, 53},
		{"v6 mapped against v4", m4, a4, 53, 53},
		{"v6 high half differs", b6, a6, 1, 2},
		{"v6 low half differs", lo6, netip.IPv6Unspecified(), 5, 5},
		{"v4 against v6 loopback", a4, lo6, 9, 9},
		{"zero address against v6 unspecified", netip.Addr{}, netip.IPv6Unspecified(), 0, 0},
		{"v6 unspecified against zero address", netip.IPv6Unspecified(), netip.Addr{}, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkPackPacket(t, &dissect.Packet{Src: c.src, Dst: c.dst, SrcPort: c.sp, DstPort: c.dp, Proto: dissect.ProtoTCP}, 3)
		})
	}
	r := rand.New(rand.NewPCG(1, 2))
	addr := func() netip.Addr {
		var b [16]byte
		for i := range b {
			b[i] = byte(r.IntN(3)) // few values: equal halves and addresses are common
		}
		switch r.IntN(3) {
		case 0:
			return netip.AddrFrom4([4]byte(b[:4]))
		case 1:
			return netip.AddrFrom16(b)
		}
		return netip.AddrFrom16(netip.AddrFrom4([4]byte(b[:4])).As16()) // mapped
	}
	for range 100000 {
		p := &dissect.Packet{Src: addr(), Dst: addr(), SrcPort: uint16(r.IntN(3)), DstPort: uint16(r.IntN(3)), Proto: uint8(r.IntN(2)*11 + 6)}
		checkPackPacket(t, p, uint32(r.IntN(2)))
	}
}

func checkPackPacket(t *testing.T, p *dissect.Packet, tunnel uint32) {
	t.Helper()
	k, fromA := dissect.KeyOf(p)
	k.Tunnel = tunnel
	want := packKey(&k)
	got, gotFromA := packPacket(p, tunnel)
	if got != want || gotFromA != fromA {
		t.Fatalf("packPacket(%v:%d -> %v:%d) = %+v, %v; want %+v, %v", p.Src, p.SrcPort, p.Dst, p.DstPort, got, gotFromA, want, fromA)
	}
}
