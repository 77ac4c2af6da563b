package netgen

import (
	"encoding/binary"
	"net/netip"
)

// TCP flags.
const (
	FIN = 0x01
	SYN = 0x02
	RST = 0x04
	PSH = 0x08
	ACK = 0x10
)

// Link frames an IP packet for a link type.
type Link func(ip []byte) []byte

// Ethernet frames an IP packet in Ethernet II.
func Ethernet(ip []byte) []byte {
	b := make([]byte, 14, 14+len(ip))
	copy(b, []byte{2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1})
	if ip[0]>>4 == 6 {
		binary.BigEndian.PutUint16(b[12:], 0x86DD)
	} else {
		binary.BigEndian.PutUint16(b[12:], 0x0800)
	}
	return append(b, ip...)
}

// EthernetVLAN frames an IP packet in Ethernet with one 802.1Q tag.
func EthernetVLAN(ip []byte) []byte {
	e := Ethernet(ip)
	b := make([]byte, 0, len(e)+4)
	b = append(b, e[:12]...)
	b = append(b, 0x81, 0x00, 0x00, 0x2a)
	return append(b, e[12:]...)
}

// SLL frames an IP packet in a Linux cooked (v1) header.
func SLL(ip []byte) []byte {
	b := make([]byte, 16, 16+len(ip))
	binary.BigEndian.PutUint16(b[2:], 1)
	binary.BigEndian.PutUint16(b[4:], 6)
	binary.BigEndian.PutUint16(b[14:], etherType(ip))
	return append(b, ip...)
}

// SLL2 frames an IP packet in a Linux cooked v2 header.
func SLL2(ip []byte) []byte {
	b := make([]byte, 20, 20+len(ip))
	binary.BigEndian.PutUint16(b, etherType(ip))
	binary.BigEndian.PutUint32(b[4:], 2)
	binary.BigEndian.PutUint16(b[8:], 1)
	b[11] = 6
	return append(b, ip...)
}

// Null frames an IP packet with a BSD loopback header (host order AF).
func Null(ip []byte) []byte {
	af := uint32(2)
	if ip[0]>>4 == 6 {
		af = 30
	}
	return append(binary.LittleEndian.AppendUint32(nil, af), ip...)
}

// PKTAP returns a Link wrapping Ethernet frames in an Apple PKTAP header
// naming the process.
func PKTAP(process string, pid int32) Link {
	return func(ip []byte) []byte {
		const hl = 156
		b := make([]byte, hl, hl+14+len(ip))
		binary.LittleEndian.PutUint32(b, hl)
		binary.LittleEndian.PutUint32(b[4:], 1)
		binary.LittleEndian.PutUint32(b[8:], LinkEthernet)
		copy(b[12:36], "en0")
		binary.LittleEndian.PutUint32(b[52:], uint32(pid))
		copy(b[56:72], process)
		return append(b, Ethernet(ip)...)
	}
}

func etherType(ip []byte) uint16 {
	if ip[0]>>4 == 6 {
		return 0x86DD
	}
	return 0x0800
}

// IP builds an IPv4 or IPv6 header around a transport payload.
func IP(src, dst netip.Addr, proto uint8, payload []byte) []byte {
	if src.Is4() {
		return IPv4(src, dst, proto, 0, 0, false, payload)
	}
	b := make([]byte, 40, 40+len(payload))
	b[0] = 0x60
	binary.BigEndian.PutUint16(b[4:], uint16(len(payload)))
	b[6] = proto
	b[7] = 64
	s, d := src.As16(), dst.As16()
	copy(b[8:], s[:])
	copy(b[24:], d[:])
	return append(b, payload...)
}

// IPv4 builds an IPv4 header (id, fragment offset in bytes, more-fragments).
func IPv4(src, dst netip.Addr, proto uint8, id uint16, fragOff int, more bool, payload []byte) []byte {
	b := make([]byte, 20, 20+len(payload))
	b[0] = 0x45
	binary.BigEndian.PutUint16(b[2:], uint16(20+len(payload)))
	binary.BigEndian.PutUint16(b[4:], id)
	ff := uint16(fragOff / 8)
	if more {
		ff |= 0x2000
	}
	binary.BigEndian.PutUint16(b[6:], ff)
	b[8] = 64
	b[9] = proto
	s, d := src.As4(), dst.As4()
	copy(b[12:], s[:])
	copy(b[16:], d[:])
	var sum uint32
	for i := 0; i < 20; i += 2 {
		sum += uint32(binary.BigEndian.Uint16(b[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	binary.BigEndian.PutUint16(b[10:], ^uint16(sum))
	return append(b, payload...)
}

// UDP builds a UDP header and payload (checksum zero).
func UDP(sport, dport uint16, payload []byte) []byte {
	b := make([]byte, 8, 8+len(payload))
	binary.BigEndian.PutUint16(b, sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint16(b[4:], uint16(8+len(payload)))
	return append(b, payload...)
}

// TCP builds a TCP header and payload (checksum zero).
func TCP(sport, dport uint16, seq, ack uint32, flags uint8, payload []byte) []byte {
	b := make([]byte, 20, 20+len(payload))
	binary.BigEndian.PutUint16(b, sport)
	binary.BigEndian.PutUint16(b[2:], dport)
	binary.BigEndian.PutUint32(b[4:], seq)
	binary.BigEndian.PutUint32(b[8:], ack)
	b[12] = 5 << 4
	b[13] = flags
	binary.BigEndian.PutUint16(b[14:], 65535)
	return append(b, payload...)
}

// IPv6Fragment builds an IPv6 packet carrying a fragment header (id,
// fragment offset in bytes, more-fragments) and a piece of an upper-layer
// datagram of protocol proto.
func IPv6Fragment(src, dst netip.Addr, proto uint8, id uint32, fragOff int, more bool, piece []byte) []byte {
	fh := []byte{proto, 0, 0, 0}
	v := uint16(fragOff) &^ 7
	if more {
		v |= 1
	}
	binary.BigEndian.PutUint16(fh[2:], v)
	fh = binary.BigEndian.AppendUint32(fh, id)
	return IP(src, dst, 44, append(fh, piece...))
}
