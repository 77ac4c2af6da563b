package netgen

import (
	"encoding/binary"
	"net/netip"
)

// More link types written by the link builders below (LINKTYPE_* values).
const (
	LinkPPP       = 9
	LinkFDDI      = 10
	LinkPPPHDLC   = 50
	LinkPPPEther  = 51
	LinkCHDLC     = 104
	LinkIEEE80211 = 105
	LinkLoop      = 108
	LinkEnc       = 109
	LinkPFLog     = 117
	LinkPrism     = 119
	LinkRadiotap  = 127
	LinkAVS       = 163
	LinkPPI       = 192
	LinkIPNet     = 226
	LinkNFLog     = 239
)

func pppProto(ip []byte) uint16 {
	if ip[0]>>4 == 6 {
		return 0x0057
	}
	return 0x0021
}

// PPP frames an IP packet in PPP with HDLC-like framing (0xff 0x03).
func PPP(ip []byte) []byte {
	return append([]byte{0xff, 0x03, byte(pppProto(ip) >> 8), byte(pppProto(ip))}, ip...)
}

// PPPCompressed frames an IP packet in PPP with the address and control
// fields and the high protocol byte compressed away (RFC 1661 §6.5, §6.6).
func PPPCompressed(ip []byte) []byte { return append([]byte{byte(pppProto(ip))}, ip...) }

// CiscoHDLC frames an IP packet in Cisco HDLC.
func CiscoHDLC(ip []byte) []byte {
	return append([]byte{0x0f, 0x00, byte(etherType(ip) >> 8), byte(etherType(ip))}, ip...)
}

// NullAF returns a Link writing a BSD loopback header with the given address
// family value for IPv6 (10, 24, 28 or 30), in big or little endian.
func NullAF(af6 uint32, big bool) Link {
	return func(ip []byte) []byte {
		af := uint32(2)
		if ip[0]>>4 == 6 {
			af = af6
		}
		if big {
			return append(binary.BigEndian.AppendUint32(nil, af), ip...)
		}
		return append(binary.LittleEndian.AppendUint32(nil, af), ip...)
	}
}

// Enc frames an IP packet in OpenBSD's enc header (family, SPI, flags).
func Enc(ip []byte) []byte {
	b := binary.LittleEndian.AppendUint32(nil, 2)
	b = append(b, 0, 0, 0x10, 0x01, 0, 0, 0, 0)
	return append(b, ip...)
}

// PFLog frames an IP packet in an OpenBSD pflog header (61 bytes, padded).
func PFLog(ip []byte) []byte {
	b := make([]byte, 64)
	b[0] = 61
	b[1] = 2
	if ip[0]>>4 == 6 {
		b[1] = 24
	}
	copy(b[4:], "em0")
	return append(b, ip...)
}

// IPNet frames an IP packet in a Solaris ipnet header.
func IPNet(ip []byte) []byte {
	b := make([]byte, 24)
	b[0], b[1] = 2, 2
	if ip[0]>>4 == 6 {
		b[1] = 26
	}
	binary.BigEndian.PutUint32(b[4:], uint32(len(ip)))
	return append(b, ip...)
}

// NFLog frames an IP packet as a Linux NFLOG record: header, a prefix TLV
// and the payload TLV, little-endian.
func NFLog(ip []byte) []byte {
	b := []byte{2, 0, 0, 5}
	if ip[0]>>4 == 6 {
		b[0] = 10
	}
	tlv := func(b []byte, typ uint16, v []byte) []byte {
		b = binary.LittleEndian.AppendUint16(b, uint16(4+len(v)))
		b = binary.LittleEndian.AppendUint16(b, typ)
		b = append(b, v...)
		for len(b)%4 != 0 {
			b = append(b, 0)
		}
		return b
	}
	b = tlv(b, 10, []byte("spyscan\x00")) // NFULA_PREFIX
	return tlv(b, 9, ip)
}

// snap is an LLC/SNAP header carrying the packet's EtherType.
func snap(ip []byte) []byte {
	return []byte{0xaa, 0xaa, 0x03, 0, 0, 0, byte(etherType(ip) >> 8), byte(etherType(ip))}
}

// FDDI frames an IP packet in FDDI with LLC/SNAP.
func FDDI(ip []byte) []byte {
	b := []byte{0x50, 2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2}
	b = append(b, snap(ip)...)
	return append(b, ip...)
}

// Ethernet8023 frames an IP packet in 802.3 (a length field) with LLC/SNAP.
func Ethernet8023(ip []byte) []byte {
	b := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0, 0}
	binary.BigEndian.PutUint16(b[12:], uint16(8+len(ip)))
	b = append(b, snap(ip)...)
	return append(b, ip...)
}

// EthernetTags returns a Link framing IP packets in Ethernet with the
// given outer-first (EtherType, tag) pairs, e.g. QinQ: 0x88a8 then 0x8100.
func EthernetTags(tags ...[2]uint16) Link {
	return func(ip []byte) []byte {
		b := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}
		for _, t := range tags {
			b = binary.BigEndian.AppendUint16(b, t[0])
			b = binary.BigEndian.AppendUint16(b, t[1])
		}
		b = binary.BigEndian.AppendUint16(b, etherType(ip))
		return append(b, ip...)
	}
}

// PPPoE returns a Link framing IP packets in PPPoE session frames over
// Ethernet, with optional VLAN tags (outer first: 0x88a8/0x8100 pairs).
func PPPoE(session uint16, tags ...[2]uint16) Link {
	return func(ip []byte) []byte {
		b := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1}
		for _, t := range tags {
			b = binary.BigEndian.AppendUint16(b, t[0])
			b = binary.BigEndian.AppendUint16(b, t[1])
		}
		b = append(b, 0x88, 0x64, 0x11, 0)
		b = binary.BigEndian.AppendUint16(b, session)
		b = binary.BigEndian.AppendUint16(b, uint16(2+len(ip)))
		b = binary.BigEndian.AppendUint16(b, pppProto(ip))
		return append(b, ip...)
	}
}

// MPLS returns a Link framing IP packets in Ethernet with an MPLS label
// stack.
func MPLS(labels ...uint32) Link {
	return func(ip []byte) []byte {
		b := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0x47}
		for i, l := range labels {
			v := l<<12 | 64
			if i == len(labels)-1 {
				v |= 1 << 8
			}
			b = binary.BigEndian.AppendUint32(b, v)
		}
		return append(b, ip...)
	}
}

// MACsec frames an IP packet in an integrity-only MACsec frame (SecTAG with
// SCI, clear data, 16-byte ICV); encrypted sets the E and C bits and
// scrambles the data.
func MACsec(encrypted bool) Link {
	return func(ip []byte) []byte {
		b := []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x88, 0xe5, 0x20, 0, 0, 0, 0, 1}
		b = append(b, 2, 0, 0, 0, 0, 1, 0, 1) // SCI
		if encrypted {
			b[14] |= 0x0c
			data := append([]byte{byte(etherType(ip) >> 8), byte(etherType(ip))}, ip...)
			for i := range data {
				data[i] ^= 0x5a
			}
			b = append(b, data...)
		} else {
			b = binary.BigEndian.AppendUint16(b, etherType(ip))
			b = append(b, ip...)
		}
		return append(b, make([]byte, 16)...)
	}
}

// --- IEEE 802.11 ---

// Dot11Options shape a generated 802.11 data frame.
type Dot11Options struct {
	QoS       bool
	FourAddr  bool
	Protected bool
	FCS       bool // append a (zero) FCS
}

// Dot11 frames IP packets in one 802.11 data frame (to the distribution
// system): one packet gives a plain MSDU; several give an A-MSDU (QoS).
func Dot11(o Dot11Options, ips ...[]byte) []byte {
	fc := byte(0x08) // data
	if o.QoS || len(ips) > 1 {
		fc = 0x88 // QoS data
	}
	flags := byte(0x01) // to DS
	if o.FourAddr {
		flags = 0x03
	}
	if o.Protected {
		flags |= 0x40
	}
	b := []byte{fc, flags, 0x2c, 0}
	b = append(b, 0, 0x11, 0x22, 0x33, 0x44, 0x55) // BSSID
	b = append(b, 0x02, 0, 0, 0, 0, 0x23)          // source
	b = append(b, 0, 0x11, 0x22, 0x33, 0x44, 0x66) // destination
	b = append(b, 0x10, 0)                         // sequence
	if o.FourAddr {
		b = append(b, 0x02, 0, 0, 0, 0, 0x24)
	}
	if fc == 0x88 {
		qos := byte(0)
		if len(ips) > 1 {
			qos = 0x80
		}
		b = append(b, qos, 0)
	}
	if o.Protected {
		b = append(b, 1, 0, 0, 0x20, 0, 0, 0, 0) // CCMP header
		b = append(b, make([]byte, len(ips[0])+8)...)
	} else if len(ips) == 1 {
		b = append(b, snap(ips[0])...)
		b = append(b, ips[0]...)
	} else {
		for i, ip := range ips {
			sub := []byte{0, 0x11, 0x22, 0x33, 0x44, 0x66, 0x02, 0, 0, 0, 0, 0x23, 0, 0}
			binary.BigEndian.PutUint16(sub[12:], uint16(8+len(ip)))
			sub = append(sub, snap(ip)...)
			sub = append(sub, ip...)
			if i < len(ips)-1 {
				for len(sub)%4 != 0 {
					sub = append(sub, 0)
				}
			}
			b = append(b, sub...)
		}
	}
	if o.FCS {
		b = append(b, 0xde, 0xad, 0xbe, 0xef)
	}
	return b
}

// Dot11Beacon is an 802.11 management frame (a beacon).
func Dot11Beacon() []byte {
	b := []byte{0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0}
	return append(b, make([]byte, 12)...)
}

// Radiotap prefixes an 802.11 frame with a radiotap header holding TSFT,
// Flags (FCS present when fcs) and a channel.
func Radiotap(frame []byte, fcs bool) []byte {
	b := []byte{0, 0, 0, 0, 0x0b, 0, 0, 0} // TSFT, Flags, Channel
	b = append(b, make([]byte, 8)...)      // TSFT (already 8-aligned)
	flags := byte(0)
	if fcs {
		flags = 0x10
	}
	b = append(b, flags, 0)               // Flags, pad to 2
	b = append(b, 0x6c, 0x09, 0xa0, 0x00) // 2412 MHz, 2 GHz CCK
	binary.LittleEndian.PutUint16(b[2:], uint16(len(b)))
	return append(b, frame...)
}

// Prism prefixes an 802.11 frame with a 144-byte Prism header.
func Prism(frame []byte) []byte {
	b := make([]byte, 144)
	binary.LittleEndian.PutUint32(b, 0x00000044)
	binary.LittleEndian.PutUint32(b[4:], 144)
	copy(b[8:], "wlan0")
	return append(b, frame...)
}

// AVS prefixes an 802.11 frame with a 64-byte AVS header.
func AVS(frame []byte) []byte {
	b := make([]byte, 64)
	binary.BigEndian.PutUint32(b, 0x80211001)
	binary.BigEndian.PutUint32(b[4:], 64)
	return append(b, frame...)
}

// PPI prefixes a frame of link type dlt with a PPI header holding an
// 802.11-common field (FCS flag when fcs).
func PPI(dlt uint32, frame []byte, fcs bool) []byte {
	b := []byte{0, 0, 0, 0}
	b = binary.LittleEndian.AppendUint32(b, dlt)
	b = append(b, 2, 0, 20, 0) // 802.11-common, 20 bytes
	field := make([]byte, 20)
	if fcs {
		field[8] = 1
	}
	b = append(b, field...)
	binary.LittleEndian.PutUint16(b[2:], uint16(len(b)))
	return append(b, frame...)
}

// --- tunnels ---

// Wrap encapsulates an IP packet into an outer IP packet.
type Wrap func(ip []byte) []byte

// Via returns a Link applying the wraps (outermost first) and then the
// link framing.
func Via(link Link, wraps ...Wrap) Link {
	return func(ip []byte) []byte {
		for i := len(wraps) - 1; i >= 0; i-- {
			ip = wraps[i](ip)
		}
		return link(ip)
	}
}

// Ends are the outer endpoints of a tunnel. A packet whose inner source
// address sorts before its destination travels from A to B, the others from
// B to A, so both directions of a connection use the same tunnel.
type Ends struct{ A, B netip.Addr }

func (e Ends) outer(ip []byte) (netip.Addr, netip.Addr) {
	var s, d netip.Addr
	if ip[0]>>4 == 6 {
		s, d = netip.AddrFrom16([16]byte(ip[8:24])), netip.AddrFrom16([16]byte(ip[24:40]))
	} else {
		s, d = netip.AddrFrom4([4]byte(ip[12:16])), netip.AddrFrom4([4]byte(ip[16:20]))
	}
	if s.Compare(d) < 0 {
		return e.A, e.B
	}
	return e.B, e.A
}

func innerProto(ip []byte) uint8 {
	if ip[0]>>4 == 6 {
		return 41
	}
	return 4
}

// IPinIP wraps the packet directly in the outer IP (protocol 4 or 41:
// IPv4-in-IPv4, 6in4, 4in6, 6in6 by the address families).
func IPinIP(e Ends) Wrap {
	return func(ip []byte) []byte {
		s, d := e.outer(ip)
		return IP(s, d, innerProto(ip), ip)
	}
}

// GRE wraps the packet in GRE (with a key when key != 0).
func GRE(e Ends, key uint32) Wrap {
	return func(ip []byte) []byte {
		s, d := e.outer(ip)
		h := []byte{0, 0, byte(etherType(ip) >> 8), byte(etherType(ip))}
		if key != 0 {
			h[0] = 0x20
			h = binary.BigEndian.AppendUint32(h, key)
		}
		return IP(s, d, 47, append(h, ip...))
	}
}

// ERSPAN wraps the packet, framed in Ethernet, in GRE with an ERSPAN header
// of the given type (1, 2 or 3).
func ERSPAN(e Ends, typ int, session uint16) Wrap {
	return func(ip []byte) []byte {
		s, d := e.outer(ip)
		var h []byte
		switch typ {
		case 1:
			h = []byte{0, 0, 0x88, 0xbe}
		case 2:
			h = []byte{0x10, 0, 0x88, 0xbe, 0, 0, 0, 1} // sequence present
			h = append(h, 0x10, 0, byte(session>>8)&3, byte(session), 0, 0, 0, 0)
		default:
			h = []byte{0x10, 0, 0x22, 0xeb, 0, 0, 0, 1}
			h = append(h, 0x20, 0, byte(session>>8)&3, byte(session), 0, 0, 0, 0, 0, 0, 0, 0)
		}
		return IP(s, d, 47, append(h, Ethernet(ip)...))
	}
}

// PPTP wraps the packet in PPP in enhanced GRE (version 1).
func PPTP(e Ends, call uint16) Wrap {
	return func(ip []byte) []byte {
		s, d := e.outer(ip)
		p := PPP(ip)
		h := []byte{0x30, 0x01, 0x88, 0x0b} // key and sequence present, version 1
		h = binary.BigEndian.AppendUint16(h, uint16(len(p)))
		h = binary.BigEndian.AppendUint16(h, call)
		h = append(h, 0, 0, 0, 7)
		return IP(s, d, 47, append(h, p...))
	}
}

// VXLAN wraps the packet, framed in Ethernet, in VXLAN on UDP 4789.
func VXLAN(e Ends, vni uint32) Wrap {
	return func(ip []byte) []byte {
		s, d := e.outer(ip)
		h := binary.BigEndian.AppendUint32([]byte{0x08, 0, 0, 0}, vni<<8)
		return IP(s, d, 17, UDP(49152, 4789, append(h, Ethernet(ip)...)))
	}
}

// Geneve wraps the packet, framed in Ethernet, in Geneve on UDP 6081 with
// one 8-byte option.
func Geneve(e Ends, vni uint32) Wrap {
	return func(ip []byte) []byte {
		s, d := e.outer(ip)
		h := []byte{0x02, 0, 0x65, 0x58}
		h = binary.BigEndian.AppendUint32(h, vni<<8)
		h = append(h, 0x01, 0x02, 0x03, 0x01, 0, 0, 0, 0) // option class, type, length 1 word
		return IP(s, d, 17, UDP(49153, 6081, append(h, Ethernet(ip)...)))
	}
}

// GTPU wraps the packet in a GTPv1-U G-PDU on UDP 2152, with a PDU session
// container extension header when ext is set.
func GTPU(e Ends, teid uint32, ext bool) Wrap {
	return func(ip []byte) []byte {
		s, d := e.outer(ip)
		h := []byte{0x30, 0xff, 0, 0}
		h = binary.BigEndian.AppendUint32(h, teid)
		body := ip
		if ext {
			h[0] |= 0x04
			body = append([]byte{0, 0, 0, 0x85, 1, 0x10, 0x09, 0}, ip...)
		}
		binary.BigEndian.PutUint16(h[2:], uint16(len(body)))
		return IP(s, d, 17, UDP(2152, 2152, append(h, body...)))
	}
}

// CAPWAP wraps the packet in a CAPWAP data message on UDP 5247 carrying a
// native 802.11 frame (wifi) or an 802.3 frame.
func CAPWAP(e Ends, wifi bool) Wrap {
	return func(ip []byte) []byte {
		s, d := e.outer(ip)
		v := uint32(2) << 19 // HLEN 2 words
		var frame []byte
		if wifi {
			v |= 1<<9 | 1<<8 // WBID 1 (802.11), T
			frame = Dot11(Dot11Options{}, ip)
		} else {
			frame = Ethernet(ip)
		}
		h := []byte{0, byte(v >> 16), byte(v >> 8), byte(v), 0, 0, 0, 0}
		return IP(s, d, 17, UDP(5247, 5247, append(h, frame...)))
	}
}

// Teredo wraps an IPv6 packet in UDP 3544 with an origin indication.
func Teredo(e Ends) Wrap {
	return func(ip []byte) []byte {
		s, d := e.outer(ip)
		h := []byte{0, 0, 0xcf, 0xc7, 0x3f, 0x57, 0xff, 0xfe}
		return IP(s, d, 17, UDP(3544, 51000, append(h, ip...)))
	}
}

// L2TP wraps the packet in PPP in an L2TPv2 data message on UDP 1701.
func L2TP(e Ends, tunnel, session uint16) Wrap {
	return func(ip []byte) []byte {
		s, d := e.outer(ip)
		h := []byte{0x40, 0x02, 0, 0}
		h = binary.BigEndian.AppendUint16(h, tunnel)
		h = binary.BigEndian.AppendUint16(h, session)
		body := append(h, PPP(ip)...)
		binary.BigEndian.PutUint16(body[2:], uint16(len(body)))
		return IP(s, d, 17, UDP(1701, 1701, body))
	}
}
