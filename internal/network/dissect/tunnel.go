package dissect

import "encoding/binary"

// UDP ports of the tunnels decoded inside UDP.
const (
	portVXLAN      = 4789
	portVXLANLinux = 8472
	portVXLANGPE   = 4790
	portGeneve     = 6081
	portGTPU       = 2152
	portCAPWAPData = 5247
	portTeredo     = 3544
	portL2TP       = 1701
	portGREinUDP   = 4754
	portAYIYA      = 5072
)

func isTunnelPort(p uint16) bool {
	switch p {
	case portVXLAN, portVXLANLinux, portVXLANGPE, portGeneve, portGTPU, portCAPWAPData, portTeredo, portL2TP,
		portGREinUDP, portAYIYA:
		return true
	}
	return false
}

func tunnelPort(s, d uint16) bool { return isTunnelPort(d) || isTunnelPort(s) }

// errNotTunnel: the datagram on a tunnel port does not carry a tunnel
// header; it is read as plain UDP.
var errNotTunnel = &Error{"not a tunnel header", false}

// udpTunnel decodes the tunnel carried by the UDP datagram in p, if its
// header is valid and what it carries decodes; otherwise p is left as the
// plain UDP datagram. It returns the inner decoding outcome when the tunnel
// was taken.
func (d *Decoder) udpTunnel(p *Packet, depth int) (taken bool, err error) {
	saved := *p
	port := p.DstPort
	if !isTunnelPort(port) {
		port = p.SrcPort
	}
	b := p.Payload
	switch port {
	case portVXLAN, portVXLANLinux:
		err = d.vxlan(b, p, depth)
	case portVXLANGPE:
		err = d.vxlanGPE(b, p, depth)
	case portGeneve:
		err = d.geneve(b, p, depth)
	case portGTPU:
		err = d.gtpu(b, p, depth)
	case portCAPWAPData:
		err = d.capwap(b, p, depth)
	case portTeredo:
		err = d.teredo(b, p, depth)
	case portL2TP:
		err = d.l2tp(b, p, depth)
	case portGREinUDP:
		err = d.greInUDP(b, p, depth)
	case portAYIYA:
		err = d.ayiya(b, p, depth)
	default:
		err = errNotTunnel
	}
	switch err {
	case ErrNotIP:
		if knownNotIP(p.EtherType) {
			return true, err
		}
	case nil, ErrLLC, ErrFragment, ErrLinkControl, ErrNotData80211, ErrBadFCS80211,
		ErrProtected80211, ErrMACsec, ErrCompressed, ErrTooDeep:
		return true, err
	}
	*p = saved // not a tunnel after all, or garbage inside: plain UDP
	return false, nil
}

// vxlan: 8-byte header (flags with I set, VNI), then an Ethernet frame.
func (d *Decoder) vxlan(b []byte, p *Packet, depth int) error {
	// flags: I set; the reserved bits and bytes are ignored on receipt
	// (RFC 7348 section 5): what follows must still decode, or the datagram
	// is read as plain UDP
	if len(b) < 8+14 || b[0]&0x08 == 0 {
		return errNotTunnel
	}
	p.pushTunnel(TunnelVXLAN, p.Src, p.Dst, binary.BigEndian.Uint32(b[4:])>>8)
	et, inner, err := ethernet(b[8:], p)
	if err != nil {
		return err
	}
	return d.net(et, inner, p, depth+1)
}

// vxlanGPE: like VXLAN with a next-protocol field (1 IPv4, 2 IPv6, 3
// Ethernet, 5 MPLS).
func (d *Decoder) vxlanGPE(b []byte, p *Packet, depth int) error {
	if len(b) < 9 || b[0]&0x08 == 0 {
		return errNotTunnel
	}
	var et uint16
	switch b[3] {
	case 1:
		et = 0x0800
	case 2:
		et = 0x86DD
	case 3:
		et = 0x6558
	case 5:
		et = 0x8847
	default:
		return errNotTunnel
	}
	p.pushTunnel(TunnelVXLAN, p.Src, p.Dst, binary.BigEndian.Uint32(b[4:])>>8)
	return d.net(et, b[8:], p, depth+1)
}

// geneve: version 0, option length, EtherType of the payload, VNI.
func (d *Decoder) geneve(b []byte, p *Packet, depth int) error {
	if len(b) < 8 || b[0]>>6 != 0 {
		return errNotTunnel
	}
	hl := 8 + int(b[0]&0x3f)*4
	if len(b) < hl {
		return errNotTunnel
	}
	p.pushTunnel(TunnelGeneve, p.Src, p.Dst, binary.BigEndian.Uint32(b[4:])>>8)
	return d.net(binary.BigEndian.Uint16(b[2:]), b[hl:], p, depth+1)
}

// gtpu: GTPv1-U G-PDU (message type 0xff) with optional sequence number,
// N-PDU number and extension headers, then an IP packet. Signalling
// messages (echo, end marker) are not tunnelled traffic.
func (d *Decoder) gtpu(b []byte, p *Packet, depth int) error {
	if len(b) < 8 || b[0]>>5 != 1 || b[0]&0x10 == 0 || b[1] != 0xff {
		return errNotTunnel
	}
	end := 8 + int(binary.BigEndian.Uint16(b[2:]))
	if end < len(b) {
		b = b[:end]
	}
	teid := binary.BigEndian.Uint32(b[4:])
	off := 8
	if b[0]&0x07 != 0 {
		if len(b) < 12 {
			return errNotTunnel
		}
		next := b[11]
		off = 12
		for i := 0; next != 0; i++ {
			if off >= len(b) || i == 16 {
				return errNotTunnel
			}
			n := int(b[off]) * 4
			if n == 0 || off+n > len(b) {
				return errNotTunnel
			}
			next = b[off+n-1]
			off += n
		}
	}
	et, inner, err := rawIP(b[off:])
	if err != nil {
		return errNotTunnel
	}
	p.pushTunnel(TunnelGTPU, p.Src, p.Dst, teid)
	return d.net(et, inner, p, depth+1)
}

// capwap: CAPWAP data channel (RFC 5415) in clear (not DTLS): the header
// length, wireless binding and T flag say whether an 802.11 or an 802.3
// frame follows. Fragmented frames are not reassembled.
func (d *Decoder) capwap(b []byte, p *Packet, depth int) error {
	if len(b) < 8 || b[0] != 0 {
		return errNotTunnel
	}
	v := uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	hl := int(v>>19) * 4
	wbid := (v >> 9) & 0x1f
	native := v>>8&1 != 0
	frag := v>>7&1 != 0
	keepalive := v>>3&1 != 0
	if hl < 8 || hl > len(b) {
		return errNotTunnel
	}
	p.pushTunnel(TunnelCAPWAP, p.Src, p.Dst, 0)
	switch {
	case keepalive || hl == len(b):
		return ErrLinkControl
	case frag:
		return ErrBadTunnel
	}
	var et uint16
	var inner []byte
	var err error
	if native && wbid == 1 {
		body := b[hl:]
		swapped := len(body) >= 2 && body[0]&3 != 0 && body[1]&3 == 0
		et, inner, err = d.dot11Swapped(body, false, swapped, p)
	} else {
		et, inner, err = ethernet(b[hl:], p)
	}
	if err != nil {
		return err
	}
	return d.net(et, inner, p, depth+1)
}

// teredo: optional authentication and origin-indication headers, then an
// IPv6 packet whose length fills the datagram exactly.
func (d *Decoder) teredo(b []byte, p *Packet, depth int) error {
	for i := 0; len(b) >= 2 && b[0] == 0 && i < 2; i++ {
		switch b[1] {
		case 1: // authentication: id-len, au-len, client id, authentication value, nonce, confirmation
			if len(b) < 4 {
				return errNotTunnel
			}
			n := 4 + int(b[2]) + int(b[3]) + 9
			if len(b) < n {
				return errNotTunnel
			}
			b = b[n:]
		case 0: // origin indication
			if len(b) < 8 {
				return errNotTunnel
			}
			b = b[8:]
		default:
			return errNotTunnel
		}
	}
	if len(b) < 40 || b[0]>>4 != 6 || 40+int(binary.BigEndian.Uint16(b[4:])) != len(b) {
		return errNotTunnel
	}
	p.pushTunnel(TunnelTeredo, p.Src, p.Dst, 0)
	return d.ipv6(b, p, depth+1)
}

// l2tp: L2TPv2 data messages (RFC 2661) carrying PPP. Control messages are
// read as plain UDP.
func (d *Decoder) l2tp(b []byte, p *Packet, depth int) error {
	if len(b) < 6 {
		return errNotTunnel
	}
	fl := binary.BigEndian.Uint16(b)
	if fl&0x8000 != 0 || fl&0x000f != 2 {
		return errNotTunnel
	}
	off := 2
	if fl&0x4000 != 0 { // length
		off += 2
	}
	if len(b) < off+4 {
		return errNotTunnel
	}
	id := binary.BigEndian.Uint32(b[off:]) // tunnel and session IDs
	off += 4
	if fl&0x0800 != 0 { // Ns, Nr
		off += 4
	}
	if fl&0x0200 != 0 { // offset size and padding
		if len(b) < off+2 {
			return errNotTunnel
		}
		off += 2 + int(binary.BigEndian.Uint16(b[off:]))
	}
	if len(b) <= off {
		return errNotTunnel
	}
	et, inner, err := hdlcOrPPP(b[off:])
	if err != nil {
		if err == ErrLinkControl {
			p.pushTunnel(TunnelL2TP, p.Src, p.Dst, id)
		}
		return err
	}
	p.pushTunnel(TunnelL2TP, p.Src, p.Dst, id)
	return d.net(et, inner, p, depth+1)
}

// greInUDP: a GRE header in UDP (RFC 8086).
func (d *Decoder) greInUDP(b []byte, p *Packet, depth int) error {
	if len(b) < 4 || binary.BigEndian.Uint16(b)&0x4007 != 0 {
		return errNotTunnel
	}
	et, inner, err := gre(b, p)
	if err != nil {
		return errNotTunnel
	}
	return d.net(et, inner, p, depth+1)
}

// ayiya: "Anything In Anything" (used by SixXS): identity and signature
// lengths in the header, the next header (IPv6 or IPv4), forward opcode.
func (d *Decoder) ayiya(b []byte, p *Packet, depth int) error {
	if len(b) < 8 || b[2]&0x0f != 1 { // opcode 1: forward
		return errNotTunnel
	}
	n := 8 + 1<<(b[0]>>4) + int(b[1]>>4)*4 // identity is 2^IDLen bytes, signature SigLen words
	if len(b) <= n || (b[3] != ProtoIPv6 && b[3] != ProtoIPIP) {
		return errNotTunnel
	}
	et, inner, err := rawIP(b[n:])
	if err != nil {
		return errNotTunnel
	}
	p.pushTunnel(TunnelAYIYA, p.Src, p.Dst, 0)
	return d.net(et, inner, p, depth+1)
}

// gre reads a GRE header (RFC 2784/2890; version 1 is PPTP's enhanced GRE,
// RFC 2637) and returns the protocol it carries. ERSPAN type I (no ERSPAN
// header: the GRE sequence bit is clear) is mapped to bridged Ethernet.
func gre(b []byte, p *Packet) (uint16, []byte, error) {
	if len(b) < 4 {
		return 0, nil, ErrShort
	}
	flags := binary.BigEndian.Uint16(b)
	proto := binary.BigEndian.Uint16(b[2:])
	off := 4
	switch flags & 7 {
	case 0:
		if flags&0x4000 != 0 { // source routing (RFC 1701): obsolete
			return 0, nil, ErrBadTunnel
		}
		if flags&0x8000 != 0 { // checksum and reserved
			off += 4
		}
		var key uint32
		if flags&0x2000 != 0 {
			if len(b) < off+4 {
				return 0, nil, ErrShort
			}
			key = binary.BigEndian.Uint32(b[off:])
			off += 4
		}
		seq := flags&0x1000 != 0
		if seq {
			off += 4
		}
		if len(b) < off {
			return 0, nil, ErrShort
		}
		if proto == 0x88BE && !seq { // ERSPAN type I
			p.pushTunnel(TunnelERSPAN, p.Src, p.Dst, 0)
			return 0x6558, b[off:], nil
		}
		p.pushTunnel(TunnelGRE, p.Src, p.Dst, key)
		return proto, b[off:], nil
	case 1:
		if proto != 0x880B || flags&0x2000 == 0 {
			return 0, nil, ErrBadTunnel
		}
		off = 8 // payload length, call ID
		if flags&0x1000 != 0 {
			off += 4
		}
		if flags&0x0080 != 0 { // acknowledgment number
			off += 4
		}
		if len(b) < off {
			return 0, nil, ErrShort
		}
		if binary.BigEndian.Uint16(b[4:]) == 0 { // acknowledgment only
			return 0, nil, ErrLinkControl
		}
		p.pushTunnel(TunnelPPTP, p.Src, p.Dst, 0)
		return 0x880B, b[off:], nil
	}
	return 0, nil, ErrBadTunnel
}

// erspan reads an ERSPAN type II (8 bytes) or type III (12 bytes, plus an
// 8-byte platform subheader when O is set) header; the mirrored Ethernet
// frame follows. The GRE tunnel it came in is renamed ERSPAN with its
// session ID.
func erspan(et uint16, b []byte, p *Packet) (uint16, []byte, error) {
	n, ver := 8, byte(1)
	if et == 0x22EB {
		n, ver = 12, 2
	}
	if len(b) < n || b[0]>>4 != ver {
		return 0, nil, ErrBadTunnel
	}
	if ver == 2 && b[11]&1 != 0 {
		n += 8
		if len(b) < n {
			return 0, nil, ErrShort
		}
	}
	if p.NTunnels > 0 {
		t := &p.Tunnels[p.NTunnels-1]
		if t.Kind == TunnelGRE {
			t.Kind, t.ID = TunnelERSPAN, uint32(binary.BigEndian.Uint16(b[2:])&0x3ff)
		}
	}
	return 0x6558, b[n:], nil
}

// knownNotIP reports whether an EtherType is a protocol known to run beside
// IP (so a tunnel carrying it is a real tunnel, not a misread datagram).
func knownNotIP(et uint16) bool {
	switch et {
	case 0x0806, 0x8035, 0x88CC, 0x2000, 0x888E, 0x8863, 0x8809, 0x88F7, 0x9000, 0x8137, 0x809B, 0x893A:
		return true
	}
	return false
}
