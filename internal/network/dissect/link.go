package dissect

import (
	"encoding/binary"

	"github.com/spyscan/spyscan/internal/network/pcapfile"
)

// ErrLLC is an 802.2 LLC frame that is not SNAP-encapsulated IP (spanning
// tree, NetBIOS, IPX...).
var ErrLLC = &Error{"not IP (802.2 LLC: spanning tree, NetBIOS, IPX...)", false}

func ethernet(b []byte, p *Packet) (uint16, []byte, error) {
	if len(b) < 14 {
		return 0, nil, ErrShort
	}
	return etherTypeOrLength(binary.BigEndian.Uint16(b[12:]), b[14:])
}

// etherTypeOrLength reads the type/length field of an Ethernet or VLAN
// header: below 0x0600 it is an 802.3 length and an LLC header follows.
func etherTypeOrLength(t uint16, b []byte) (uint16, []byte, error) {
	if t < 0x0600 {
		if int(t) < len(b) {
			b = b[:t]
		}
		return llc(b)
	}
	return t, b, nil
}

// llc reads an 802.2 LLC header; SNAP carries an EtherType.
func llc(b []byte) (uint16, []byte, error) {
	if len(b) < 3 {
		return 0, nil, ErrShort
	}
	if b[0] == 0xAA && b[1] == 0xAA && b[2] == 0x03 {
		if len(b) < 8 {
			return 0, nil, ErrShort
		}
		return binary.BigEndian.Uint16(b[6:]), b[8:], nil
	}
	if b[0] == 0x06 && b[1] == 0x06 { // DSAP/SSAP 6: IP without SNAP (RFC 948 style)
		return 0x0800, b[3:], nil
	}
	return 0, nil, ErrLLC
}

// cooked reads what follows a Linux SLL/SLL2 header from its ARPHRD type and
// protocol.
func (d *Decoder) cooked(hatype, proto uint16, b []byte, p *Packet, depth int) (uint16, []byte, error) {
	switch hatype {
	case 801: // ARPHRD_IEEE80211
		return d.dot11(b, false, p)
	case 802: // ARPHRD_IEEE80211_PRISM
		body, err := prism(b)
		if err != nil {
			return 0, nil, err
		}
		return d.dot11(body, false, p)
	case 803: // ARPHRD_IEEE80211_RADIOTAP
		body, fcs, err := radiotap(b)
		if err != nil {
			return 0, nil, err
		}
		return d.dot11(body, fcs, p)
	case 824: // ARPHRD_NETLINK
		return 0, nil, ErrNotIP
	}
	switch proto {
	case 0x0004: // ETH_P_802_2: an LLC frame
		return llc(b)
	case 0x0001, 0x0003, 0x000C, 0x000D, 0x0010, 0x0011, 0x0015: // 802.3 raw, ETH_P_ALL, CAN, CANFD, LocalTalk, PPP-MP, 802.15.4...
		if hatype == 512 || hatype == 65534 { // PPP or tun device without a protocol: raw IP
			return rawIP(b)
		}
		return 0, nil, ErrNotIP
	}
	return proto, b, nil
}

// null reads the 4-byte address family of BSD loopback (DLT_NULL in host
// byte order, DLT_LOOP in network byte order).
func null(link uint32, b []byte) (uint16, []byte, error) {
	if len(b) < 4 {
		return 0, nil, ErrShort
	}
	af := binary.LittleEndian.Uint32(b)
	if link == pcapfile.LinkLoop || af > 0xffff {
		af = binary.BigEndian.Uint32(b)
	}
	switch af {
	case 2:
		return 0x0800, b[4:], nil
	case 10, 24, 28, 30: // AF_INET6 on Linux, NetBSD/OpenBSD, FreeBSD, Darwin
		return 0x86DD, b[4:], nil
	}
	return 0, nil, ErrNotIP
}

// pflog reads OpenBSD's pflog header: its length (padded to 4 bytes) and
// address family come first.
func pflog(b []byte) (uint16, []byte, error) {
	if len(b) < 2 {
		return 0, nil, ErrShort
	}
	hl := (int(b[0]) + 3) &^ 3
	if hl < 4 || hl > len(b) {
		return 0, nil, ErrShort
	}
	switch b[1] {
	case 2:
		return 0x0800, b[hl:], nil
	case 10, 24, 28, 30:
		return 0x86DD, b[hl:], nil
	}
	return 0, nil, ErrNotIP
}

// ipnet reads Solaris's 24-byte ipnet header.
func ipnet(b []byte) (uint16, []byte, error) {
	if len(b) < 24 {
		return 0, nil, ErrShort
	}
	switch b[1] {
	case 2:
		return 0x0800, b[24:], nil
	case 26:
		return 0x86DD, b[24:], nil
	}
	return 0, nil, ErrNotIP
}

// ErrNoPayload is an NFLOG record without the packet (logging of metadata
// only): there is nothing to read.
var ErrNoPayload = &Error{"NFLOG record without the packet", true}

// nflog reads a Linux NFLOG record: a 4-byte header then TLVs in host byte
// order; the packet is the NFULA_PAYLOAD (type 9) attribute.
func nflog(b []byte) (uint16, []byte, error) {
	if len(b) < 4 {
		return 0, nil, ErrShort
	}
	if b[1] != 0 {
		return 0, nil, ErrBadIP
	}
	order := binary.ByteOrder(binary.LittleEndian)
	if len(b) >= 8 {
		if l := int(order.Uint16(b[4:])); l < 4 || 4+l > len(b) {
			order = binary.BigEndian
		}
	}
	for off := 4; off+4 <= len(b); {
		l := int(order.Uint16(b[off:]))
		typ := order.Uint16(b[off+2:]) & 0x7fff
		if l < 4 || off+l > len(b) {
			return 0, nil, ErrShort
		}
		if typ == 9 {
			return rawIP(b[off+4 : off+l])
		}
		off += (l + 3) &^ 3
	}
	return 0, nil, ErrNoPayload
}

// hdlcOrPPP reads DLT_PPP and DLT_PPP_SERIAL frames: PPP in HDLC-like
// framing (0xff 0x03), PPP with its address and control fields compressed
// away, or a Cisco HDLC frame (some systems write those under these types).
func hdlcOrPPP(b []byte) (uint16, []byte, error) {
	if len(b) < 2 {
		return 0, nil, ErrShort
	}
	switch {
	case b[0] == 0xff && b[1] == 0x03:
		return ppp(b[2:], nil)
	case (b[0] == 0x0f || b[0] == 0x8f) && b[1] == 0x00:
		return ciscoHDLC(b)
	}
	return ppp(b, nil)
}

// ppp reads a PPP protocol field (1 or 2 bytes) and maps it to an EtherType.
func ppp(b []byte, p *Packet) (uint16, []byte, error) {
	if len(b) < 1 {
		return 0, nil, ErrShort
	}
	proto, n := uint16(b[0]), 1
	if b[0]&1 == 0 {
		if len(b) < 2 {
			return 0, nil, ErrShort
		}
		proto, n = binary.BigEndian.Uint16(b), 2
	}
	switch proto {
	case 0x0021:
		return 0x0800, b[n:], nil
	case 0x0057:
		return 0x86DD, b[n:], nil
	case 0x0281, 0x0283:
		return 0x8847, b[n:], nil
	case 0x002d, 0x002f, 0x00fb, 0x00fd: // Van Jacobson compressed/uncompressed TCP, compressed datagrams
		return 0, nil, ErrCompressed
	}
	if proto >= 0x8000 {
		return 0, nil, ErrLinkControl
	}
	return 0, nil, ErrNotIP
}

// ciscoHDLC reads a Cisco HDLC header: address, control, EtherType.
func ciscoHDLC(b []byte) (uint16, []byte, error) {
	if len(b) < 4 {
		return 0, nil, ErrShort
	}
	switch t := binary.BigEndian.Uint16(b[2:]); t {
	case 0x8035, 0x2000: // SLARP keepalives, CDP
		return 0, nil, ErrLinkControl
	default:
		return t, b[4:], nil
	}
}

// pppoeSession reads a PPPoE session header (RFC 2516) and the PPP
// protocol after it.
func pppoeSession(b []byte, p *Packet) (uint16, []byte, error) {
	if len(b) < 8 {
		return 0, nil, ErrShort
	}
	if b[0] != 0x11 || b[1] != 0 {
		return 0, nil, ErrBadTunnel
	}
	pl := b[6:]
	if n := int(binary.BigEndian.Uint16(b[4:])); n < len(pl) {
		pl = pl[:n]
	}
	var none Tunnel
	p.pushTunnel(TunnelPPPoE, none.Src, none.Dst, uint32(binary.BigEndian.Uint16(b[2:])))
	return ppp(pl, p)
}

// mpls skips an MPLS label stack; IP, or an Ethernet pseudowire (with or
// without its control word), follows.
func mpls(b []byte, p *Packet) (uint16, []byte, error) {
	for i := 0; ; i++ {
		if len(b) < 4 {
			return 0, nil, ErrShort
		}
		bos := b[2]&1 != 0
		b = b[4:]
		if bos {
			break
		}
		if i == 16 {
			return 0, nil, ErrBadTunnel
		}
	}
	if len(b) < 1 {
		return 0, nil, ErrShort
	}
	switch b[0] >> 4 {
	case 4:
		return 0x0800, b, nil
	case 6:
		return 0x86DD, b, nil
	case 0: // pseudowire control word, then an Ethernet frame
		if len(b) < 4 {
			return 0, nil, ErrShort
		}
		return ethernet(b[4:], p)
	}
	return ethernet(b, p)
}

// macsec reads an 802.1AE SecTAG: integrity-only frames carry their
// EtherType and data in clear (the 16-byte ICV ends the frame); encrypted
// ones cannot be read.
func macsec(b []byte) (uint16, []byte, error) {
	if len(b) < 6 {
		return 0, nil, ErrShort
	}
	tci := b[0]
	if tci&0x08 != 0 { // E: encrypted
		return 0, nil, ErrMACsec
	}
	off := 6
	if tci&0x20 != 0 { // SC: an 8-byte secure channel identifier follows
		off += 8
	}
	if len(b) < off+2+16 {
		return 0, nil, ErrShort
	}
	body := b[off : len(b)-16]
	return binary.BigEndian.Uint16(body), body[2:], nil
}

// PKTAP header offsets (Darwin struct pktap_header, host byte order).
const (
	pktapDLT    = 8
	pktapPID    = 52
	pktapComm   = 56
	pktapCommSz = 17
)

func (d *Decoder) pktap(b []byte, p *Packet, depth int) (uint16, []byte, error) {
	if len(b) < 12 {
		return 0, nil, ErrShort
	}
	hl := binary.LittleEndian.Uint32(b)
	if hl < pktapComm+pktapCommSz || uint64(hl) > uint64(len(b)) {
		return 0, nil, ErrShort
	}
	inner := binary.LittleEndian.Uint32(b[pktapDLT:])
	p.PID = int32(binary.LittleEndian.Uint32(b[pktapPID:]))
	comm := b[pktapComm : pktapComm+pktapCommSz]
	for i, c := range comm {
		if c == 0 {
			comm = comm[:i]
			break
		}
	}
	p.Process = comm
	if depth > 0 || inner == pcapfile.LinkPKTAP || inner == pcapfile.LinkPKTAPDLT || inner == pcapfile.LinkPPI {
		return 0, nil, ErrUnknownLink
	}
	return d.link(inner, b[hl:], p, depth+1)
}

// ppi reads a Per-Packet Information header (CACE/Riverbed): its length, the
// link type of the frame after it, and the FCS flag of its 802.11-common
// field.
func (d *Decoder) ppi(b []byte, p *Packet, depth int) (uint16, []byte, error) {
	if len(b) < 8 {
		return 0, nil, ErrShort
	}
	hl := int(binary.LittleEndian.Uint16(b[2:]))
	inner := binary.LittleEndian.Uint32(b[4:])
	if b[0] != 0 || hl < 8 || hl > len(b) {
		return 0, nil, ErrBadRadio
	}
	fcs := false
	for off := 8; off+4 <= hl; {
		typ := binary.LittleEndian.Uint16(b[off:])
		n := int(binary.LittleEndian.Uint16(b[off+2:]))
		if off+4+n > hl {
			break
		}
		if typ == 2 && n >= 20 { // 802.11-common: flags at offset 8, bit 0 = FCS present
			fcs = binary.LittleEndian.Uint16(b[off+4+8:])&1 != 0
		}
		off += 4 + n
	}
	body := b[hl:]
	if depth > 0 || inner == pcapfile.LinkPPI || inner == pcapfile.LinkPKTAP || inner == pcapfile.LinkPKTAPDLT {
		return 0, nil, ErrUnknownLink
	}
	if inner == pcapfile.LinkIEEE80211 {
		return d.dot11(body, fcs, p)
	}
	return d.link(inner, body, p, depth+1)
}
