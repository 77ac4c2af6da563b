package capture

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
)

// maxReasons bounds the distinct decoding reasons kept.
const maxReasons = 64

// decodeFailed counts a packet that gave no transport payload, per reason;
// packets that may hide traffic (an unsupported link type, an encrypted
// 802.11 frame, a malformed header...) are also counted as undecodable,
// which makes the capture inconclusive.
func (a *analyzer) decodeFailed(link uint32, err error) {
	reason := err.Error()
	undecodable := true
	if de, ok := dissectError(err); ok {
		undecodable = de.Undecodable
	}
	switch {
	case errors.Is(err, dissect.ErrFragment):
		reason = "IP fragments held for reassembly"
	case errors.Is(err, dissect.ErrUnknownLink):
		reason = a.linkReason(link)
	case errors.Is(err, dissect.ErrNotIP):
		reason = a.etherReason(a.p.EtherType)
	}
	a.problem(reason)
	if undecodable {
		a.undecodable(reason, 1)
	}
}

// dissectError is errors.As for a *dissect.Error. The decoder returns its
// sentinels unwrapped (every fragment held for reassembly comes this way),
// so they are taken without the allocation of errors.As's target.
func dissectError(err error) (*dissect.Error, bool) {
	if de, ok := err.(*dissect.Error); ok {
		return de, true
	}
	var de *dissect.Error
	ok := errors.As(err, &de)
	return de, ok
}

// undecodable counts n packets that could not be read, for a reason.
func (a *analyzer) undecodable(reason string, n uint64) {
	a.undecN += n
	if _, ok := a.undec[reason]; !ok && len(a.undec) >= maxReasons {
		reason = "other undecodable packets"
	}
	a.undec[reason] += n
}

func (a *analyzer) linkReason(link uint32) string {
	if r, ok := a.reasons[uint64(link)]; ok {
		return r
	}
	r := fmt.Sprintf("unsupported link type %d", link)
	if n := pcapfile.LinkTypeName(link); n != "" {
		r += " (" + n + ")"
	}
	a.reasons[uint64(link)] = r
	return r
}

func (a *analyzer) etherReason(et uint16) string {
	if et == 0 {
		return "not IP"
	}
	k := 1<<32 | uint64(et)
	if r, ok := a.reasons[k]; ok {
		return r
	}
	r := fmt.Sprintf("not IP (EtherType 0x%04x)", et)
	if n := etherTypeName(et); n != "" {
		r = fmt.Sprintf("not IP (EtherType 0x%04x, %s)", et, n)
	}
	a.reasons[k] = r
	return r
}

func etherTypeName(et uint16) string {
	switch et {
	case 0x0806:
		return "ARP"
	case 0x8035:
		return "RARP"
	case 0x88CC:
		return "LLDP"
	case 0x2000:
		return "CDP"
	case 0x888E:
		return "EAPOL"
	case 0x8863:
		return "PPPoE discovery"
	case 0x8809:
		return "slow protocols (LACP)"
	case 0x88F7:
		return "PTP"
	case 0x9000:
		return "loopback"
	case 0x8137:
		return "IPX"
	case 0x809B:
		return "AppleTalk"
	case 0x893A:
		return "IEEE 1905"
	case 0x88E1:
		return "HomePlug"
	}
	return ""
}

// --- tunnels ---

// tunnelPath identifies the tunnels a flow came through, independently of
// the direction: outer endpoints in a fixed order, and only the identifiers
// both directions share (VXLAN/Geneve VNI, GRE key, ERSPAN, PPPoE and L2TP
// sessions; not GTP TEIDs, which differ per direction).
type tunnelPath struct {
	n    uint8
	hops [dissect.MaxTunnels]dissect.Tunnel
}

func pathOf(p *dissect.Packet) tunnelPath {
	tp := tunnelPath{n: p.NTunnels}
	for i, t := range p.TunnelPath() {
		if t.Src.Compare(t.Dst) > 0 {
			t.Src, t.Dst = t.Dst, t.Src
		}
		switch t.Kind {
		case dissect.TunnelGTPU, dissect.TunnelPPTP:
			t.ID = 0
		case dissect.TunnelL2TP:
			t.ID &= 0xffff // the session ID; tunnel IDs differ per direction
		}
		tp.hops[i] = t
	}
	return tp
}

// recentHops are the hops of the last packets' tunnel paths as decoded
// (each direction of a tunnel has its own: endpoints swapped, GTP TEIDs),
// with their interned IDs: most tunnelled packets follow one of the same
// path, and comparing their hops costs less than building and comparing a
// tunnelPath.
type recentHops struct {
	n    [2]uint8
	hops [2][dissect.MaxTunnels]dissect.Tunnel
	id   [2]uint32 // 0: empty
	next uint8     // the entry replaced next
}

// lookup returns the ID of p's path if it is one of the recent ones.
func (r *recentHops) lookup(p *dissect.Packet) (uint32, bool) {
	for i := range r.id {
		if r.id[i] != 0 && r.n[i] == p.NTunnels && sameHops(r.hops[i][:r.n[i]], p.TunnelPath()) {
			return r.id[i], true
		}
	}
	return 0, false
}

// add remembers p's hops as those of path id, in place of the older entry.
func (r *recentHops) add(p *dissect.Packet, id uint32) {
	i := r.next
	r.n[i], r.hops[i], r.id[i] = p.NTunnels, p.Tunnels, id
	r.next = 1 - i
}

func sameHops(x, y []dissect.Tunnel) bool {
	for i := range x {
		if x[i] != y[i] {
			return false
		}
	}
	return true
}

// tunnelID interns the tunnel path of p; 0 means no tunnel. The tunnel
// endpoints are observed (checked against indicators) once.
func (a *analyzer) tunnelID(p *dissect.Packet) uint32 {
	if p.NTunnels == 0 {
		return 0
	}
	if id, ok := a.recentTunnels.lookup(p); ok {
		return id
	}
	id, kept := a.internTunnel(p)
	if kept { // a path past the bound is counted on each of its packets
		a.recentTunnels.add(p, id)
	}
	return id
}

// internTunnel returns the ID of p's tunnel path, giving it one when new;
// kept is false when the path is past the bound (merged into the last).
func (a *analyzer) internTunnel(p *dissect.Packet) (id uint32, kept bool) {
	tp := pathOf(p)
	id, ok := a.tunnels[tp]
	if !ok {
		if len(a.tunnelNames) >= a.opts.MaxRecords {
			a.dropped["tunnel paths past the bound (flows merged)"]++
			return uint32(len(a.tunnelNames) - 1), false
		}
		id = uint32(len(a.tunnelNames))
		a.tunnels[tp] = id
		a.tunnelNames = append(a.tunnelNames, tunnelName(p))
		for _, t := range p.TunnelPath() {
			if t.Src.IsValid() {
				a.observeIP(t.Src, "tunnel endpoint", nil)
				a.observeIP(t.Dst, "tunnel endpoint", nil)
			}
		}
	}
	return id, true
}

// tunnelName describes a tunnel path, outermost first, e.g.
// "gre 192.0.2.1 -> 192.0.2.2 key 0x2a / vxlan 10.0.0.1 -> 10.0.0.2 vni 42".
func tunnelName(p *dissect.Packet) string {
	var sb strings.Builder
	for i, t := range p.TunnelPath() {
		if i > 0 {
			sb.WriteString(" / ")
		}
		sb.WriteString(t.Kind.String())
		if t.Src.IsValid() {
			sb.WriteString(" " + t.Src.String() + " -> " + t.Dst.String())
		}
		switch t.Kind {
		case dissect.TunnelVXLAN, dissect.TunnelGeneve:
			fmt.Fprintf(&sb, " vni %d", t.ID)
		case dissect.TunnelGRE:
			if t.ID != 0 {
				fmt.Fprintf(&sb, " key 0x%x", t.ID)
			}
		case dissect.TunnelERSPAN:
			fmt.Fprintf(&sb, " session %d", t.ID)
		case dissect.TunnelGTPU:
			fmt.Fprintf(&sb, " teid 0x%x", t.ID)
		case dissect.TunnelPPPoE:
			fmt.Fprintf(&sb, " session 0x%04x", t.ID)
		case dissect.TunnelL2TP:
			fmt.Fprintf(&sb, " tunnel %d session %d", t.ID>>16, t.ID&0xffff)
		}
	}
	return sb.String()
}

func (a *analyzer) tunnelOf(f *flow) string {
	if f.key.Tunnel == 0 || int(f.key.Tunnel) >= len(a.tunnelNames) {
		return ""
	}
	return a.tunnelNames[f.key.Tunnel]
}

// incompleteDatagrams reads the start of datagrams whose fragments never
// all arrived: a DNS message in it is read as far as it goes and marked
// partial. Every such datagram is counted as undecodable.
func (a *analyzer) incompleteDatagrams() {
	for _, inc := range a.dec.Defrag.TakeIncomplete() {
		if inc.Proto != dissect.ProtoUDP || len(inc.Data) < 8 {
			continue
		}
		p := &a.p
		*p = dissect.Packet{Src: inc.Src, Dst: inc.Dst, Proto: dissect.ProtoUDP, IPLen: len(inc.Data)}
		p.SrcPort, p.DstPort = uint16(inc.Data[0])<<8|uint16(inc.Data[1]), uint16(inc.Data[2])<<8|uint16(inc.Data[3])
		p.Payload = inc.Data[8:]
		a.partial = true
		a.transportPacket(0)
		a.partial = false
	}
}
