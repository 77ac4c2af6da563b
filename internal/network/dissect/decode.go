// Package dissect owns packet decoding below the application layer: link
// layers (Ethernet with VLAN tags, Linux cooked SLL/SLL2, raw IP,
// null/loopback, Apple PKTAP), IPv4 with bounded fragment reassembly, IPv6
// (extension headers), UDP and TCP, the 5-tuple flow key and its Community
// ID, and bounded TCP stream reassembly. Decoding fills a preallocated Packet
// and does not allocate.
package dissect

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"github.com/spyscan/spyscan/internal/network/pcapfile"
)

// IP protocol numbers.
const (
	ProtoICMP   = 1
	ProtoTCP    = 6
	ProtoUDP    = 17
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

// Decoding failures, counted per reason by the caller.
var (
	ErrShort       = errors.New("packet shorter than its headers")
	ErrUnknownLink = errors.New("unsupported link type")
	ErrNotIP       = errors.New("not an IP packet")
	ErrBadIP       = errors.New("malformed IP header")
	ErrBadTCP      = errors.New("malformed TCP header")
	ErrBadUDP      = errors.New("malformed UDP header")
	ErrFragment    = errors.New("IP fragment held for reassembly")
)

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
	Reassembled      bool // the datagram was rebuilt from fragments
}

// Decoder decodes packets. It holds the IPv4 defragmenter; one per capture.
type Decoder struct {
	Defrag *Defragmenter
}

// NewDecoder returns a decoder with a bounded IPv4 defragmenter.
func NewDecoder() *Decoder { return &Decoder{Defrag: NewDefragmenter(256, 1<<20)} }

// Decode decodes data of the given link type into p. now is the packet time
// (Unix ns), used to expire fragments.
func (d *Decoder) Decode(link uint32, data []byte, now int64, p *Packet) error {
	p.Process, p.PID, p.Reassembled = nil, 0, false
	ethType, b, err := d.link(link, data, p)
	if err != nil {
		return err
	}
	switch ethType {
	case 0x0800:
		return d.ipv4(b, now, p)
	case 0x86DD:
		return d.ipv6(b, p)
	}
	return ErrNotIP
}

// link strips the link layer and returns the EtherType of what follows.
func (d *Decoder) link(link uint32, b []byte, p *Packet) (uint16, []byte, error) {
	switch link {
	case pcapfile.LinkEthernet:
		return ethernet(b)
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
		return binary.BigEndian.Uint16(b[14:]), b[16:], nil
	case pcapfile.LinkSLL2:
		if len(b) < 20 {
			return 0, nil, ErrShort
		}
		return binary.BigEndian.Uint16(b), b[20:], nil
	case pcapfile.LinkNull, pcapfile.LinkLoop:
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
		case 10, 24, 28, 30:
			return 0x86DD, b[4:], nil
		}
		return 0, nil, ErrNotIP
	case pcapfile.LinkPKTAP, pcapfile.LinkPKTAPDLT:
		return d.pktap(b, p)
	}
	return 0, nil, ErrUnknownLink
}

func ethernet(b []byte) (uint16, []byte, error) {
	if len(b) < 14 {
		return 0, nil, ErrShort
	}
	t := binary.BigEndian.Uint16(b[12:])
	b = b[14:]
	for i := 0; i < 4 && (t == 0x8100 || t == 0x88A8 || t == 0x9100); i++ {
		if len(b) < 4 {
			return 0, nil, ErrShort
		}
		t = binary.BigEndian.Uint16(b[2:])
		b = b[4:]
	}
	return t, b, nil
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
	return 0, nil, ErrNotIP
}

// PKTAP header offsets (Darwin struct pktap_header, host byte order).
const (
	pktapDLT    = 8
	pktapPID    = 52
	pktapComm   = 56
	pktapCommSz = 17
	pktapMinLen = 108
)

func (d *Decoder) pktap(b []byte, p *Packet) (uint16, []byte, error) {
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
	if inner == pcapfile.LinkPKTAP || inner == pcapfile.LinkPKTAPDLT {
		return 0, nil, ErrUnknownLink
	}
	return d.linkNoPKTAP(inner, b[hl:], p)
}

func (d *Decoder) linkNoPKTAP(link uint32, b []byte, p *Packet) (uint16, []byte, error) {
	proc, pid := p.Process, p.PID
	t, rest, err := d.link(link, b, p)
	p.Process, p.PID = proc, pid
	return t, rest, err
}

func (d *Decoder) ipv4(b []byte, now int64, p *Packet) error {
	if len(b) < 20 || b[0]>>4 != 4 {
		return ErrBadIP
	}
	ihl := int(b[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(b[2:]))
	if ihl < 20 || total < ihl || ihl > len(b) {
		return ErrBadIP
	}
	if total > len(b) {
		total = len(b) // snaplen-cut
	}
	p.Src = netip.AddrFrom4([4]byte(b[12:16]))
	p.Dst = netip.AddrFrom4([4]byte(b[16:20]))
	p.Proto = b[9]
	p.IPLen = int(binary.BigEndian.Uint16(b[2:]))
	ff := binary.BigEndian.Uint16(b[6:])
	payload := b[ihl:total]
	if ff&0x3fff != 0 { // MF set or offset > 0
		id := binary.BigEndian.Uint16(b[4:])
		whole, ok := d.Defrag.Add(p.Src, p.Dst, p.Proto, id, int(ff&0x1fff)*8, ff&0x2000 != 0, payload, now)
		if !ok {
			return ErrFragment
		}
		payload = whole
		p.Reassembled = true
	}
	return transport(payload, p)
}

func (d *Decoder) ipv6(b []byte, p *Packet) error {
	if len(b) < 40 || b[0]>>4 != 6 {
		return ErrBadIP
	}
	plen := int(binary.BigEndian.Uint16(b[4:]))
	p.Src = netip.AddrFrom16([16]byte(b[8:24]))
	p.Dst = netip.AddrFrom16([16]byte(b[24:40]))
	p.IPLen = 40 + plen
	next := b[6]
	rest := b[40:]
	if plen < len(rest) && plen > 0 {
		rest = rest[:plen]
	}
	for i := 0; i < 8; i++ {
		switch next {
		case 0, 43, 60: // hop-by-hop, routing, destination options
			if len(rest) < 8 {
				return ErrBadIP
			}
			n := (int(rest[1]) + 1) * 8
			if n > len(rest) {
				return ErrBadIP
			}
			next, rest = rest[0], rest[n:]
			continue
		case 44: // fragment: only unfragmented "atomic" fragments are decoded
			if len(rest) < 8 {
				return ErrBadIP
			}
			if binary.BigEndian.Uint16(rest[2:])&0xfff9 != 0 {
				p.Proto = rest[0]
				return ErrFragment
			}
			next, rest = rest[0], rest[8:]
			continue
		}
		break
	}
	p.Proto = next
	return transport(rest, p)
}

func transport(b []byte, p *Packet) error {
	p.SrcPort, p.DstPort, p.TCPFlags, p.Seq, p.Ack = 0, 0, 0, 0, 0
	switch p.Proto {
	case ProtoTCP:
		if len(b) < 20 {
			return ErrBadTCP
		}
		off := int(b[12]>>4) * 4
		if off < 20 || off > len(b) {
			return ErrBadTCP
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
	default:
		p.Payload = b
	}
	return nil
}
