package dissect

import "encoding/binary"

// dot11 reads an IEEE 802.11 frame. Only data frames carry IP: their LLC/SNAP
// header follows the MAC header (24 bytes, 30 with four addresses, plus QoS
// and HT control fields). Protected frames are encrypted and cannot be read.
// An A-MSDU delivers its first subframe; Next yields the others.
func (d *Decoder) dot11(b []byte, fcs bool, p *Packet) (uint16, []byte, error) {
	return d.dot11Swapped(b, fcs, false, p)
}

// dot11Swapped is dot11 for frames whose two frame-control bytes may be
// swapped (Cisco controllers' CAPWAP, as Wireshark reads it by default).
func (d *Decoder) dot11Swapped(b []byte, fcs, swapped bool, p *Packet) (uint16, []byte, error) {
	if fcs {
		if len(b) < 4 {
			return 0, nil, ErrShort
		}
		b = b[:len(b)-4]
	}
	if len(b) < 2 {
		return 0, nil, ErrShort
	}
	fc, flags := b[0], b[1]
	if swapped {
		fc, flags = flags, fc
	}
	if fc&3 != 0 { // protocol version 0 only
		return 0, nil, ErrBadRadio
	}
	typ, sub := (fc>>2)&3, fc>>4
	if typ != 2 || sub&4 != 0 { // not data, or a null-function (no body) subtype
		return 0, nil, ErrNotData80211
	}
	hl := 24
	if flags&3 == 3 { // to and from the distribution system: a fourth address
		hl += 6
	}
	qos := sub&8 != 0
	qosOff := hl
	if qos {
		hl += 2
		if flags&0x80 != 0 { // +HTC
			hl += 4
		}
	}
	if len(b) < hl {
		return 0, nil, ErrShort
	}
	if flags&0x40 != 0 {
		return 0, nil, ErrProtected80211
	}
	body := b[hl:]
	if qos && b[qosOff]&0x80 != 0 { // A-MSDU
		d.more = body
		d.moreP.Process, d.moreP.PID, d.moreP.NTunnels, d.moreP.Tunnels = p.Process, p.PID, p.NTunnels, p.Tunnels
		return d.amsduNext(p)
	}
	return llc(body)
}

// amsduNext reads the next A-MSDU subframe (destination, source, length,
// LLC/SNAP and data, padded to 4 bytes).
func (d *Decoder) amsduNext(p *Packet) (uint16, []byte, error) {
	b := d.more
	d.more = nil
	if len(b) < 14 {
		return 0, nil, ErrShort
	}
	n := int(binary.BigEndian.Uint16(b[12:]))
	if 14+n > len(b) {
		return 0, nil, ErrShort
	}
	if next := (14 + n + 3) &^ 3; next < len(b) {
		d.more = b[next:]
	}
	return llc(b[14 : 14+n])
}

// radiotap skips a radiotap header and reports, from its Flags field,
// whether the frame ends with an FCS. Frames whose FCS failed are refused.
func radiotap(b []byte) (body []byte, fcs bool, err error) {
	if len(b) < 8 {
		return nil, false, ErrShort
	}
	hl := int(binary.LittleEndian.Uint16(b[2:]))
	if b[0] != 0 || hl < 8 || hl > len(b) {
		return nil, false, ErrBadRadio
	}
	present := binary.LittleEndian.Uint32(b[4:])
	off := 8
	for w := present; w&(1<<31) != 0; { // extended presence bitmaps
		if off+4 > hl {
			return nil, false, ErrBadRadio
		}
		w = binary.LittleEndian.Uint32(b[off:])
		off += 4
	}
	if present&1 != 0 { // TSFT: 8 bytes, 8-aligned
		off = (off+7)&^7 + 8
	}
	if present&2 != 0 && off < hl { // Flags
		f := b[off]
		if f&0x40 != 0 {
			return nil, false, ErrBadFCS80211
		}
		fcs = f&0x10 != 0
	}
	return b[hl:], fcs, nil
}

// prism skips a Prism monitoring header (its length in host byte order), or
// an AVS header written under the Prism link type.
func prism(b []byte) ([]byte, error) {
	if len(b) < 8 {
		return nil, ErrShort
	}
	if binary.BigEndian.Uint32(b)&0xFFFFF000 == 0x80211000 {
		return avs(b)
	}
	n := int(binary.LittleEndian.Uint32(b[4:]))
	if n < 8 || n > len(b) {
		n = int(binary.BigEndian.Uint32(b[4:]))
		if n < 8 || n > len(b) {
			return nil, ErrBadRadio
		}
	}
	return b[n:], nil
}

// avs skips an AVS capture header (version 0x8021100x, big-endian length).
func avs(b []byte) ([]byte, error) {
	if len(b) < 8 {
		return nil, ErrShort
	}
	n := int(binary.BigEndian.Uint32(b[4:]))
	if binary.BigEndian.Uint32(b)&0xFFFFF000 != 0x80211000 || n < 8 || n > len(b) {
		return nil, ErrBadRadio
	}
	return b[n:], nil
}
