// Package dissect owns packet decoding below the application layer: link
// layers (Ethernet with VLAN/QinQ tags and LLC/SNAP, Linux cooked SLL/SLL2,
// raw IP, null/loopback variants, PPP and Cisco HDLC, PPPoE, FDDI, OpenBSD
// enc/pflog, Solaris ipnet, Linux NFLOG, Apple PKTAP, IEEE 802.11 with
// radiotap, Prism, AVS or PPI headers), the tunnels that carry IP inside IP
// or UDP (IP-in-IP, 6in4, 4in6, GRE with ERSPAN and PPTP, VXLAN(-GPE),
// Geneve, GTP-U, CAPWAP data, Teredo, L2TPv2, MPLS), IPv4 and IPv6 with
// bounded fragment reassembly, UDP and TCP, the flow key and its Community
// ID, and bounded TCP stream reassembly. Decoding fills a preallocated
// Packet and does not allocate.
//
// The decoders are written here rather than taken from gopacket's layers:
// gopacket's DecodingLayerParser took 250 ns for an Ethernet/IPv4/TCP frame
// where this decoder takes 70 ns (same machine, see docs/perf/network.md),
// its 802.11 layer allocates per frame, and it reports no tunnel path.
// gopacket is used in the tests as an independent decoder to compare with.
package dissect

import (
	"encoding/binary"
	"net/netip"

	"github.com/spyscan/spyscan/internal/network/pcapfile"
)

// IP protocol numbers.
const (
	ProtoICMP   = 1
	ProtoIPIP   = 4
	ProtoTCP    = 6
	ProtoUDP    = 17
	ProtoIPv6   = 41
	ProtoGRE    = 47
	ProtoICMPv6 = 58
)

// TCP flags.
const (
	FlagFIN = 0x01
	FlagSYN = 0x02
	FlagRST = 0x04
	FlagPSH = 0x08
	FlagACK = 0x10
)

// Error is a decoding outcome other than success. Undecodable says whether
// the packet may carry traffic that could not be read (an unsupported link
// type, an encrypted 802.11 frame, a malformed header...), as opposed to a
// packet that was read and is simply not IP (ARP, LLDP, 802.11 beacons).
// A capture with undecodable packets is never reported as clean.
type Error struct {
	Reason      string
	Undecodable bool
}

func (e *Error) Error() string { return e.Reason }

// Decoding outcomes, counted per reason by the caller.
var (
	ErrShort          = &Error{"packet shorter than its headers", true}
	ErrUnknownLink    = &Error{"unsupported link type", true}
	ErrNotIP          = &Error{"not IP", false}
	ErrBadIP          = &Error{"malformed IP header", true}
	ErrBadTCP         = &Error{"malformed TCP header", true}
	ErrBadUDP         = &Error{"malformed UDP header", true}
	ErrFragment       = &Error{"IP fragment held for reassembly", false}
	ErrLinkControl    = &Error{"link control frame (PPP LCP/IPCP, HDLC SLARP...)", false}
	ErrNotData80211   = &Error{"IEEE 802.11 management, control or null frame", false}
	ErrBadFCS80211    = &Error{"IEEE 802.11 frame that failed its FCS check", false}
	ErrProtected80211 = &Error{"IEEE 802.11 protected (encrypted) data frame", true}
	ErrMACsec         = &Error{"MACsec encrypted frame", true}
	ErrBadRadio       = &Error{"malformed radio header (radiotap, Prism, AVS, PPI)", true}
	ErrBadTunnel      = &Error{"malformed or unsupported tunnel header", true}
	ErrTooDeep        = &Error{"encapsulation nested too deeply", true}
	ErrCompressed     = &Error{"PPP compressed or Van Jacobson datagram", true}
)

// MaxTunnels is the number of tunnel layers recorded per packet; deeper
// ones are decoded but not named.
const MaxTunnels = 4

// Aruba access points tunnel 802.11 frames in GRE with protocol types in
// this range (as Zeek and Wireshark read them).
const arubaFirst, arubaLast = 0x8200, 0x83ff

// maxDepth bounds the encapsulations followed in one packet.
const maxDepth = 12

// TunnelKind names a tunnel.
type TunnelKind uint8

// Tunnel kinds.
const (
	TunnelNone TunnelKind = iota
	TunnelIPinIP
	Tunnel6in4
	Tunnel4in6
	Tunnel6in6
	TunnelGRE
	TunnelERSPAN
	TunnelPPTP
	TunnelVXLAN
	TunnelGeneve
	TunnelGTPU
	TunnelCAPWAP
	TunnelTeredo
	TunnelL2TP
	TunnelPPPoE
	TunnelAYIYA
	numTunnelKinds
)

var tunnelNames = [numTunnelKinds]string{"", "ipip", "6in4", "4in6", "6in6", "gre", "erspan", "pptp",
	"vxlan", "geneve", "gtp-u", "capwap", "teredo", "l2tp", "pppoe", "ayiya"}

func (k TunnelKind) String() string {
	if int(k) < len(tunnelNames) {
		return tunnelNames[k]
	}
	return "tunnel"
}

// Tunnel is one encapsulation a packet came through: its kind, the outer
// endpoints (invalid for PPPoE, which has only MAC addresses) and an
// identifier (VXLAN/Geneve VNI, GRE key, GTP TEID, PPPoE or L2TP session).
type Tunnel struct {
	Kind     TunnelKind
	Src, Dst netip.Addr
	ID       uint32
}

// Packet is one decoded packet. Slices point into the capture buffer (or the
// defragmenter's buffer) and are valid until the next Decode.
type Packet struct {
	Src, Dst         netip.Addr
	Proto            uint8
	SrcPort, DstPort uint16
	TCPFlags         uint8
	Seq, Ack         uint32
	Payload          []byte // transport payload (TCP/UDP), or IP payload for others
	IPLen            int    // length of the IP datagram
	Process          []byte // PKTAP process name, if any
	PID              int32
	Reassembled      bool   // the datagram was rebuilt from fragments
	EtherType        uint16 // with ErrNotIP: the EtherType (or PPP protocol) met
	NTunnels         uint8
	Tunnels          [MaxTunnels]Tunnel // outermost first
}

// TunnelPath returns the tunnels the packet came through, outermost first.
func (p *Packet) TunnelPath() []Tunnel { return p.Tunnels[:p.NTunnels] }

func (p *Packet) pushTunnel(k TunnelKind, src, dst netip.Addr, id uint32) {
	if p.NTunnels < MaxTunnels {
		p.Tunnels[p.NTunnels] = Tunnel{k, src, dst, id}
		p.NTunnels++
	}
}

// Decoder decodes packets. It holds the fragment reassembly state and the
// A-MSDU subframes still to deliver; one per capture.
type Decoder struct {
	Defrag *Defragmenter
	more   []byte // A-MSDU subframes after the one delivered
	moreP  Packet // link-level context (tunnels, process) of those subframes
	now    int64
}

// NewDecoder returns a decoder with a bounded defragmenter.
func NewDecoder() *Decoder { return &Decoder{Defrag: NewDefragmenter(256, 1<<20)} }

// Decode decodes data of the given link type into p. now is the packet time
// (Unix ns), used to expire fragments. When the frame holds several packets
// (an 802.11 A-MSDU), the first is decoded here and Next yields the others.
func (d *Decoder) Decode(link uint32, data []byte, now int64, p *Packet) error {
	p.Process, p.PID, p.Reassembled, p.NTunnels, p.EtherType = nil, 0, false, 0, 0
	d.more, d.now = nil, now
	et, b, err := d.link(link, data, p, 0)
	if err != nil {
		return err
	}
	return d.net(et, b, p, 0)
}

// More reports whether the last frame holds packets not yet delivered.
func (d *Decoder) More() bool { return len(d.more) > 0 }

// Next decodes the next packet of the last frame (see More).
func (d *Decoder) Next(p *Packet) error {
	p.Process, p.PID, p.NTunnels, p.Tunnels = d.moreP.Process, d.moreP.PID, d.moreP.NTunnels, d.moreP.Tunnels
	p.Reassembled, p.EtherType = false, 0
	et, b, err := d.amsduNext(p)
	if err != nil {
		return err
	}
	return d.net(et, b, p, 1)
}

// link strips the link layer and returns the EtherType of what follows.
func (d *Decoder) link(link uint32, b []byte, p *Packet, depth int) (uint16, []byte, error) {
	switch link {
	case pcapfile.LinkEthernet:
		return ethernet(b, p)
	case pcapfile.LinkRaw, pcapfile.LinkRawAlt, pcapfile.LinkRawAlt14:
		return rawIP(b)
	case pcapfile.LinkIPv4:
		return 0x0800, b, nil
	case pcapfile.LinkIPv6:
		return 0x86DD, b, nil
	case pcapfile.LinkSLL:
		if len(b) < 16 {
			return 0, nil, ErrShort
		}
		return d.cooked(binary.BigEndian.Uint16(b[2:]), binary.BigEndian.Uint16(b[14:]), b[16:], p, depth)
	case pcapfile.LinkSLL2:
		if len(b) < 20 {
			return 0, nil, ErrShort
		}
		return d.cooked(binary.BigEndian.Uint16(b[8:]), binary.BigEndian.Uint16(b), b[20:], p, depth)
	case pcapfile.LinkNull, pcapfile.LinkLoop:
		return null(link, b)
	case pcapfile.LinkEnc: // address family, SPI, flags, then the IP packet
		if len(b) < 12 {
			return 0, nil, ErrShort
		}
		return rawIP(b[12:])
	case pcapfile.LinkPFLog:
		return pflog(b)
	case pcapfile.LinkIPNet:
		return ipnet(b)
	case pcapfile.LinkNFLog:
		return nflog(b)
	case pcapfile.LinkPPP, pcapfile.LinkPPPHDLC:
		return hdlcOrPPP(b)
	case pcapfile.LinkPPPWithDir:
		if len(b) < 1 {
			return 0, nil, ErrShort
		}
		return hdlcOrPPP(b[1:])
	case pcapfile.LinkCHDLC:
		return ciscoHDLC(b)
	case pcapfile.LinkCHDLCWithDir:
		if len(b) < 1 {
			return 0, nil, ErrShort
		}
		return ciscoHDLC(b[1:])
	case pcapfile.LinkPPPEther:
		return pppoeSession(b, p)
	case pcapfile.LinkFDDI:
		if len(b) < 13 {
			return 0, nil, ErrShort
		}
		return llc(b[13:])
	case pcapfile.LinkATMRFC1483:
		return llc(b)
	case pcapfile.LinkIEEE80211:
		return d.dot11(b, false, p)
	case pcapfile.LinkRadiotap:
		body, fcs, err := radiotap(b)
		if err != nil {
			return 0, nil, err
		}
		return d.dot11(body, fcs, p)
	case pcapfile.LinkPrism:
		body, err := prism(b)
		if err != nil {
			return 0, nil, err
		}
		return d.dot11(body, false, p)
	case pcapfile.LinkAVS:
		body, err := avs(b)
		if err != nil {
			return 0, nil, err
		}
		return d.dot11(body, false, p)
	case pcapfile.LinkPPI:
		return d.ppi(b, p, depth)
	case pcapfile.LinkPKTAP, pcapfile.LinkPKTAPDLT:
		return d.pktap(b, p, depth)
	}
	return 0, nil, ErrUnknownLink
}

func rawIP(b []byte) (uint16, []byte, error) {
	if len(b) < 1 {
		return 0, nil, ErrShort
	}
	switch b[0] >> 4 {
	case 4:
		return 0x0800, b, nil
	case 6:
		return 0x86DD, b, nil
	}
	return 0, nil, ErrBadIP
}

// net decodes a payload of the given EtherType.
func (d *Decoder) net(et uint16, b []byte, p *Packet, depth int) error {
	if depth > maxDepth {
		return ErrTooDeep
	}
	switch et {
	case 0x0800:
		return d.ipv4(b, p, depth)
	case 0x86DD:
		return d.ipv6(b, p, depth)
	}
	et, b, err := d.l2(et, b, p, depth)
	if err != nil {
		return err
	}
	return d.net(et, b, p, depth+1)
}

// l2 unwraps one non-IP layer named by an EtherType (VLAN, PPPoE, MPLS,
// bridged Ethernet, ERSPAN, PPP, MACsec, PBB) and returns what it carries.
func (d *Decoder) l2(et uint16, b []byte, p *Packet, depth int) (uint16, []byte, error) {
	switch et {
	case 0x8100, 0x88A8, 0x9100, 0x9200:
		if len(b) < 4 {
			return 0, nil, ErrShort
		}
		return etherTypeOrLength(binary.BigEndian.Uint16(b[2:]), b[4:])
	case 0x8864:
		return pppoeSession(b, p)
	case 0x8847, 0x8848:
		return mpls(b, p)
	case 0x6558: // transparent Ethernet bridging (GRE, Geneve)
		return ethernet(b, p)
	case 0x88BE, 0x22EB:
		return erspan(et, b, p)
	case 0x880B: // PPP (PPTP's enhanced GRE), usually in HDLC-like framing
		if len(b) >= 2 && b[0] == 0xff && b[1] == 0x03 {
			b = b[2:]
		}
		return ppp(b, p)
	case 0x883E: // WCCP redirect header, then IPv4
		if len(b) < 4 {
			return 0, nil, ErrShort
		}
		return rawIP(b[4:])
	case 0x88E5:
		return macsec(b)
	case 0x88E7: // 802.1ah provider backbone bridging: I-TAG then a frame
		if len(b) < 4 {
			return 0, nil, ErrShort
		}
		return ethernet(b[4:], p)
	case 0x8926: // Cisco VN-Tag: 4 bytes, then the EtherType
		if len(b) < 6 {
			return 0, nil, ErrShort
		}
		return etherTypeOrLength(binary.BigEndian.Uint16(b[4:]), b[6:])
	}
	if et >= arubaFirst && et <= arubaLast && p.NTunnels > 0 && p.Tunnels[p.NTunnels-1].Kind == TunnelGRE {
		return d.dot11(b, false, p) // Aruba access points: 802.11 frames in GRE
	}
	p.EtherType = et
	return 0, nil, ErrNotIP
}

// --- IPv4 / IPv6 ---

func (d *Decoder) ipv4(b []byte, p *Packet, depth int) error {
	if len(b) < 20 || b[0]>>4 != 4 {
		return ErrBadIP
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:]))
	if ihl < 20 || ihl > len(b) || (total < ihl && total != 0) {
		return ErrBadIP
	}
	p.IPLen = total
	if total > len(b) || total == 0 { // snaplen-cut, or TSO (length 0)
		total = len(b)
	}
	if p.IPLen == 0 {
		p.IPLen = total
	}
	p.Src = netip.AddrFrom4([4]byte(b[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	p.Proto = b[9]
	ff := binary.BigEndian.Uint16(b[6:])
	payload := b[ihl:total]
	if ff&0x3fff != 0 { // MF set or offset > 0
		id := uint32(binary.BigEndian.Uint16(b[4:]))
		whole, ok := d.Defrag.Add(p.Src, p.Dst, p.Proto, id, int(ff&0x1fff)*8, ff&0x2000 != 0, payload, d.now)
		if !ok {
			return ErrFragment
		}
		payload = whole
		p.Reassembled = true
	}
	return d.ipPayload(payload, p, depth)
}

func (d *Decoder) ipv6(b []byte, p *Packet, depth int) error {
	if len(b) < 40 || b[0]>>4 != 6 {
		return ErrBadIP
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	p.Src = netip.AddrFrom16([16]byte(b[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(b[24:40]))
	rest := b[40:]
	if plen < len(rest) && plen > 0 {
		rest = rest[:plen]
	}
	p.IPLen = 40 + plen
	if plen == 0 { // jumbogram or TSO
		p.IPLen = 40 + len(rest)
	}
	next := b[6]
	for i := 0; i < 8; i++ {
		switch next {
		case 0, 43, 60, 135, 139, 140: // hop-by-hop, routing, destination options, mobility, HIP, shim6
			if len(rest) < 8 {
				return ErrBadIP
			}
			n := (int(rest[1]) + 1) * 8
			if n > len(rest) {
				return ErrBadIP
			}
			next, rest = rest[0], rest[n:]
			continue
		case 51: // authentication header: length in 4-byte units, plus 2
			if len(rest) < 8 {
				return ErrBadIP
			}
			n := (int(rest[1]) + 2) * 4
			if n > len(rest) {
				return ErrBadIP
			}
			next, rest = rest[0], rest[n:]
			continue
		case 44: // fragment
			if len(rest) < 8 {
				return ErrBadIP
			}
			ff := binary.BigEndian.Uint16(rest[2:])
			nh := rest[0]
			if ff&0xfff9 == 0 { // atomic fragment: offset 0, no more fragments
				next, rest = nh, rest[8:]
				continue
			}
			p.Proto = nh
			whole, ok := d.Defrag.Add(p.Src, p.Dst, nh, binary.BigEndian.Uint32(rest[4:]), int(ff&0xfff8), ff&1 != 0, rest[8:], d.now)
			if !ok {
				return ErrFragment
			}
			p.Reassembled = true
			next, rest = nh, whole
			continue
		}
		break
	}
	p.Proto = next
	return d.ipPayload(rest, p, depth)
}

// ipPayload decodes what an IP header carries: a tunnelled IP packet, GRE,
// or a transport header.
func (d *Decoder) ipPayload(b []byte, p *Packet, depth int) error {
	switch p.Proto {
	case ProtoIPIP, ProtoIPv6:
		if depth >= maxDepth {
			return ErrTooDeep
		}
		if len(b) == 0 {
			return ErrShort
		}
		outer4, inner4 := p.Src.Is4(), p.Proto == ProtoIPIP
		kind := TunnelIPinIP
		switch {
		case outer4 && !inner4:
			kind = Tunnel6in4
		case !outer4 && inner4:
			kind = Tunnel4in6
		case !outer4:
			kind = Tunnel6in6
		}
		p.pushTunnel(kind, p.Src, p.Dst, 0)
		if inner4 {
			return d.ipv4(b, p, depth+1)
		}
		return d.ipv6(b, p, depth+1)
	case ProtoGRE:
		if depth >= maxDepth {
			return ErrTooDeep
		}
		et, inner, err := gre(b, p)
		if err != nil {
			return err
		}
		return d.net(et, inner, p, depth+1)
	}
	return d.transport(b, p, depth)
}

func (d *Decoder) transport(b []byte, p *Packet, depth int) error {
	p.SrcPort, p.DstPort, p.TCPFlags, p.Seq, p.Ack = 0, 0, 0, 0, 0
	switch p.Proto {
	case ProtoTCP:
		if len(b) < 20 {
			return ErrBadTCP
		}
		off := int(b[12]>>4) * 4
		if off < 20 {
			return ErrBadTCP
		}
		if off > len(b) { // options cut by the snapshot length: the header is still read
			off = len(b)
		}
		p.SrcPort = binary.BigEndian.Uint16(b)
		p.DstPort = binary.BigEndian.Uint16(b[2:])
		p.Seq = binary.BigEndian.Uint32(b[4:])
		p.Ack = binary.BigEndian.Uint32(b[8:])
		p.TCPFlags = b[13]
		p.Payload = b[off:]
	case ProtoUDP:
		if len(b) < 8 {
			return ErrBadUDP
		}
		p.SrcPort = binary.BigEndian.Uint16(b)
		p.DstPort = binary.BigEndian.Uint16(b[2:])
		n := int(binary.BigEndian.Uint16(b[4:]))
		pl := b[8:]
		if n >= 8 && n-8 < len(pl) {
			pl = pl[:n-8]
		}
		p.Payload = pl
		if depth < maxDepth && tunnelPort(p.SrcPort, p.DstPort) {
			if taken, err := d.udpTunnel(p, depth); taken {
				return err
			}
		}
	default:
		p.Payload = b
	}
	return nil
}
