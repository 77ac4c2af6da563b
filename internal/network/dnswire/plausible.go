package dnswire

import "encoding/binary"

// Plausible reports whether b is, as a whole, a well-formed DNS message
// (RFC 1035; mDNS and LLMNR use the same format): a sane header, and
// questions and resource records whose names, classes and lengths are
// valid and that end exactly at the end of b. It is how DNS is recognised
// on ports that are not DNS's.
func Plausible(b []byte) bool {
	end, ok := walk(b, false)
	return ok && end == len(b)
}

// PlausibleStart reports whether b starts like a DNS message: a sane
// header and a first question that reads completely. It recognises a DNS
// message cut short (a datagram whose fragments did not all arrive, a TCP
// segment carrying the start of a message).
func PlausibleStart(b []byte) bool {
	_, ok := walk(b, true)
	return ok
}

// walk checks the message; with start, it stops after the first question
// (or the first record when there is no question).
func walk(b []byte, start bool) (int, bool) {
	if len(b) < 12 {
		return 0, false
	}
	flags := binary.BigEndian.Uint16(b[2:])
	opcode := (flags >> 11) & 0x0f
	if opcode == 3 || opcode > 6 || flags&0x0040 != 0 { // unassigned opcodes; Z must be zero
		return 0, false
	}
	qd := int(binary.BigEndian.Uint16(b[4:]))
	rr := int(binary.BigEndian.Uint16(b[6:])) + int(binary.BigEndian.Uint16(b[8:])) + int(binary.BigEndian.Uint16(b[10:]))
	if qd > maxQuestions || rr > 1024 || qd+rr == 0 {
		return 0, false
	}
	off := 12
	if start && qd > 0 && partialName(b, off) {
		return len(b), true // the first question's name runs past the end: valid so far
	}
	for i := 0; i < qd; i++ {
		n, ok := skipName(b, off)
		if !ok || n+4 > len(b) || !validClass(binary.BigEndian.Uint16(b[n+2:])) || binary.BigEndian.Uint16(b[n:]) == 0 {
			return 0, false
		}
		off = n + 4
		if start {
			return off, true
		}
	}
	for i := 0; i < rr; i++ {
		n, ok := skipName(b, off)
		if !ok || n+10 > len(b) {
			return 0, false
		}
		typ, class := binary.BigEndian.Uint16(b[n:]), binary.BigEndian.Uint16(b[n+2:])
		if typ == 0 || (typ != 41 && !validClass(class)) { // OPT's class is a payload size
			return 0, false
		}
		off = n + 10 + int(binary.BigEndian.Uint16(b[n+8:]))
		if off > len(b) {
			return 0, false
		}
		if start {
			return off, true
		}
	}
	return off, true
}

// validClass: IN, CH, HS, NONE, ANY, with mDNS's cache-flush or
// unicast-response bit allowed on IN.
func validClass(c uint16) bool {
	switch c &^ 0x8000 {
	case 1:
		return true
	}
	switch c {
	case 3, 4, 254, 255:
		return true
	}
	return false
}

// skipName checks the name at off (labels of at most 63 bytes, at most 255
// in all, compression pointers only backwards) and returns the offset after
// it.
func skipName(b []byte, off int) (int, bool) {
	total := 0
	for {
		if off >= len(b) {
			return 0, false
		}
		c := int(b[off])
		switch c & 0xc0 {
		case 0x00:
			if c == 0 {
				return off + 1, true
			}
			total += c + 1
			if total > maxNameLen || off+1+c > len(b) {
				return 0, false
			}
			off += 1 + c
		case 0xc0:
			if off+2 > len(b) {
				return 0, false
			}
			if ptr := int(binary.BigEndian.Uint16(b[off:]) & 0x3fff); ptr < 12 || ptr >= off {
				return 0, false
			}
			return off + 2, true
		default:
			return 0, false
		}
	}
}

// partialName reports whether the name at off runs past the end of b with
// valid labels (a message cut inside its first name).
func partialName(b []byte, off int) bool {
	for off < len(b) {
		c := int(b[off])
		if c == 0 || c&0xc0 != 0 {
			return false // the name ends (or points) inside b: not cut
		}
		off += 1 + c
	}
	return off > 12
}
