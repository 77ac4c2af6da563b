package capture

import (
	"math/rand/v2"
	"net/netip"
	"testing"

	"github.com/spyscan/spyscan/internal/network/dissect"
)

// TestCarriesAsKeyOf holds carries(k, p) to KeyOf(p) == k and KeyOf's
// direction, for each packet's own key and the keys of other packets:
// equal addresses and ports, IPv4 against the same address mapped into
// IPv6, the zero address, and random pairs.
func TestCarriesAsKeyOf(t *testing.T) {
	a4, b4 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	m4 := netip.MustParseAddr("::ffff:192.0.2.1")
	a6, lo6 := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("::1")
	pk := func(src, dst netip.Addr, sp, dp uint16) *dissect.Packet {
		return &dissect.Packet{Src: src, Dst: dst, SrcPort: sp, DstPort: dp, Proto: dissect.ProtoTCP}
	}
	cases := []struct {
		name string
		p    *dissect.Packet
	}{
		{"v4 ascending", pk(a4, b4, 1000, 443)},
		{"v4 descending", pk(b4, a4, 443, 1000)},
		{"same address, ports ascending", pk(a4, a4, 1, 2)},
		{"same address, ports descending", pk(a4, a4, 2, 1)},
		{"same address and port", pk(a4, a4, 7, 7)},
		{"v4 against the same address in v6", pk(a4, m4, 53, 53)},
		{"v6 mapped against v4", pk(m4, a4, 53, 53)},
		{"v6", pk(a6, lo6, 1, 2)},
		{"zero address against v6 unspecified", pk(netip.Addr{}, netip.IPv6Unspecified(), 0, 0)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, o := range cases {
				checkCarries(t, c.p, o.p, 0)
			}
			rev := *c.p
			rev.Src, rev.Dst, rev.SrcPort, rev.DstPort = rev.Dst, rev.Src, rev.DstPort, rev.SrcPort
			checkCarries(t, c.p, &rev, 0)
			checkCarries(t, c.p, c.p, 1)
		})
	}
	r := rand.New(rand.NewPCG(1, 2))
	addr := func() netip.Addr {
		b := [4]byte{10, 0, 0, byte(r.IntN(3))} // few values: equal addresses are common
		switch r.IntN(3) {
		case 0:
			return netip.AddrFrom4(b)
		case 1:
			return netip.AddrFrom16([16]byte{15: b[3]})
		}
		return netip.AddrFrom16(netip.AddrFrom4(b).As16()) // mapped
	}
	packet := func() *dissect.Packet {
		return &dissect.Packet{Src: addr(), Dst: addr(), SrcPort: uint16(r.IntN(3)), DstPort: uint16(r.IntN(3)), Proto: uint8(r.IntN(2)*11 + 6)}
	}
	for range 100000 {
		p, q := packet(), packet()
		checkCarries(t, p, q, uint32(r.IntN(2)))
		checkCarries(t, p, p, 0)
	}
}

// checkCarries checks carries of p against the key of q (tunnel 0).
func checkCarries(t *testing.T, p, q *dissect.Packet, tunnel uint32) {
	t.Helper()
	k, _ := dissect.KeyOf(q)
	pk, fromA := dissect.KeyOf(p)
	pk.Tunnel = tunnel
	gotFromA, ok := carries(&k, p, tunnel)
	if ok != (pk == k) || ok && gotFromA != fromA {
		t.Fatalf("carries(key of %v:%d -> %v:%d, %v:%d -> %v:%d tunnel %d) = %v, %v; want %v, %v", q.Src, q.SrcPort, q.Dst, q.DstPort,
			p.Src, p.SrcPort, p.Dst, p.DstPort, tunnel, gotFromA, ok, fromA, pk == k)
	}
}
