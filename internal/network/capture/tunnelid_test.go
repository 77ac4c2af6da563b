package capture

import (
	"math/rand"
	"net/netip"
	"testing"

	"github.com/spyscan/spyscan/internal/network/dissect"
)

// TestTunnelIDRecent: tunnelID, with its cache of recent hops, gives every
// packet the ID that interning its path (pathOf) in first-seen order gives,
// over packets of few paths in both directions (GTP TEIDs differing per
// direction, stale hops beyond the packet's depth, a path that starts
// another), and past the bound of
// paths counts every packet of a merged path, as without the cache.
func TestTunnelIDRecent(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	addrs := []netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2"),
		netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::2")}
	kinds := []dissect.TunnelKind{dissect.TunnelGRE, dissect.TunnelVXLAN, dissect.TunnelGTPU, dissect.TunnelPPPoE, dissect.TunnelL2TP}
	hop := func() dissect.Tunnel {
		h := dissect.Tunnel{Kind: kinds[r.Intn(len(kinds))], ID: uint32(r.Intn(3)) << uint(16*r.Intn(2))}
		if h.Kind != dissect.TunnelPPPoE {
			h.Src, h.Dst = addrs[r.Intn(len(addrs))], addrs[r.Intn(len(addrs))]
		}
		return h
	}
	paths := make([]dissect.Packet, 12)
	for i := range paths {
		p := &paths[i]
		p.NTunnels = uint8(1 + r.Intn(dissect.MaxTunnels))
		for j := range p.Tunnels {
			p.Tunnels[j] = hop()
		}
	}
	// a path that is the start of another
	paths[1].Tunnels = paths[0].Tunnels
	paths[0].NTunnels, paths[1].NTunnels = 1, 2
	for _, bound := range []int{10000, 6} {
		a := newAnalyzer("t", Options{MaxRecords: bound})
		a.opts.defaults()
		want := map[tunnelPath]uint32{}
		var wantDropped uint64
		for i := 0; i < 20000; i++ {
			p := paths[r.Intn(len(paths))]
			if r.Intn(2) == 0 { // the other direction
				for j := range p.TunnelPath() {
					h := &p.Tunnels[j]
					h.Src, h.Dst = h.Dst, h.Src
					if h.Kind == dissect.TunnelGTPU {
						h.ID ^= 0x55
					}
				}
			}
			p.Tunnels[dissect.MaxTunnels-1].ID += uint32(r.Intn(2)) // stale beyond NTunnels, or not
			tp := pathOf(&p)
			id, ok := want[tp]
			if !ok {
				if len(want)+1 >= bound {
					id = uint32(len(want))
					wantDropped++
				} else {
					id = uint32(len(want) + 1)
					want[tp] = id
				}
			}
			if got := a.tunnelID(&p); got != id {
				t.Fatalf("bound %d, packet %d: ID %d, want %d", bound, i, got, id)
			}
		}
		if got := a.dropped["tunnel paths past the bound (flows merged)"]; got != wantDropped {
			t.Fatalf("bound %d: %d packets counted past the bound, want %d", bound, got, wantDropped)
		}
		if bound < 10000 && wantDropped == 0 {
			t.Fatalf("bound %d: no path past it; the test does not test the bound", bound)
		}
	}
}

// BenchmarkTunnelID is the tunnel lookup of a packet of a GRE-in-GRE
// path, the two directions alternating (real-1G's commonest path).
func BenchmarkTunnelID(b *testing.B) {
	x, y := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	u, v := netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("198.51.100.2")
	var ps [2]dissect.Packet
	ps[0].NTunnels, ps[1].NTunnels = 2, 2
	ps[0].Tunnels[0] = dissect.Tunnel{Kind: dissect.TunnelGRE, Src: x, Dst: y}
	ps[0].Tunnels[1] = dissect.Tunnel{Kind: dissect.TunnelGRE, Src: u, Dst: v, ID: 7}
	ps[1].Tunnels[0] = dissect.Tunnel{Kind: dissect.TunnelGRE, Src: y, Dst: x}
	ps[1].Tunnels[1] = dissect.Tunnel{Kind: dissect.TunnelGRE, Src: v, Dst: u, ID: 7}
	a := newAnalyzer("b", Options{})
	a.opts.defaults()
	i := 0
	for b.Loop() {
		_ = a.tunnelID(&ps[i&1])
		i++
	}
}
