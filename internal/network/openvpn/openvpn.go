// Package openvpn reads OpenVPN's control channel, over UDP and over TCP
// (where each packet has a 2-byte length before it), far enough to give
// back the TLS handshake it carries: the client's ClientHello and the
// server's certificate chain, split over control packets that may be
// retransmitted or arrive out of order.
//
// A control packet is: opcode and key id (1 byte), the sender's session id
// (8), with tls-auth an HMAC and an 8-byte replay id and time, an array of
// acknowledged message ids (a count, 4 bytes each, then the peer's
// session id when the count is not zero), the message id (4) and the
// payload (a piece of the TLS byte stream). The HMAC's length depends on
// the tunnel's configuration and is not written anywhere: it is found from
// the client's first packet (a hard reset), the one layout that reads it
// as a reset. With tls-crypt the rest is encrypted and nothing is read;
// the bytes are never read across the framing as if they were TLS.
package openvpn

import "encoding/binary"

// Opcodes (the high 5 bits of the first byte).
const (
	opHardResetClientV1 = 1
	opHardResetServerV1 = 2
	opSoftResetV1       = 3
	opControlV1         = 4
	opHardResetClientV2 = 7
	opHardResetServerV2 = 8
	opHardResetClientV3 = 10
)

// authSizes are the lengths tls-auth can add after the session id: none,
// or an HMAC (MD5, SHA-1, SHA-256, SHA-384, SHA-512) then the 4-byte
// replay packet id and 4-byte time.
var authSizes = [...]int{0, 16 + 8, 20 + 8, 32 + 8, 48 + 8, 64 + 8}

// maxAcks bounds the acknowledgement array (OpenVPN sends at most 8).
const maxAcks = 8

// MaxPacket bounds a packet's length: a TCP length prefix past it is not
// OpenVPN's.
const MaxPacket = 1 << 14

// Packet is one control packet that carries a message.
type Packet struct {
	Opcode  byte
	Session uint64 // the sender's session id
	Acks    int    // message ids acknowledged
	MsgID   uint32
	Payload []byte // a piece of the TLS stream (empty in a reset)
}

// control reports whether op is a control opcode that carries a message.
func control(op byte) bool {
	switch op {
	case opHardResetClientV1, opHardResetServerV1, opSoftResetV1, opControlV1,
		opHardResetClientV2, opHardResetServerV2, opHardResetClientV3:
		return true
	}
	return false
}

// Parse reads one packet (without TCP's length prefix) whose tls-auth part
// has auth bytes. ok is false for a packet that carries no message
// (acknowledgements, data) or does not parse.
func Parse(b []byte, auth int) (p Packet, ok bool) {
	if len(b) < 9 || !control(b[0]>>3) {
		return p, false
	}
	p.Opcode = b[0] >> 3
	p.Session = binary.BigEndian.Uint64(b[1:])
	off := 9 + auth
	if off >= len(b) {
		return p, false
	}
	p.Acks = int(b[off])
	off++
	if p.Acks > maxAcks {
		return p, false
	}
	if p.Acks > 0 {
		off += 4*p.Acks + 8
	}
	if off+4 > len(b) {
		return p, false
	}
	p.MsgID = binary.BigEndian.Uint32(b[off:])
	p.Payload = b[off+4:]
	return p, true
}

// ClientReset reports whether b is a client's hard reset, the first packet
// of a session, and with which tls-auth length it reads: key id 0, no
// acknowledgement, message id 0, and no payload but OpenVPN 2.6's early
// negotiation TLVs (type 0x0f00); with tls-auth, a replay id that starts
// near 1 and a time.
func ClientReset(b []byte) (auth int, ok bool) {
	if len(b) < 14 || b[0]&7 != 0 {
		return 0, false
	}
	switch b[0] >> 3 {
	case opHardResetClientV1, opHardResetClientV2, opHardResetClientV3:
	default:
		return 0, false
	}
	for _, auth := range authSizes {
		p, ok := Parse(b, auth)
		if !ok || p.Acks != 0 || p.MsgID != 0 {
			continue
		}
		if len(p.Payload) > 0 && (len(p.Payload) < 4 || p.Payload[0] != 0x0f || p.Payload[1] != 0) {
			continue
		}
		if auth > 0 {
			id := binary.BigEndian.Uint32(b[9+auth-8:])
			if id == 0 || id > 16 || binary.BigEndian.Uint32(b[9+auth-4:]) == 0 {
				continue
			}
		}
		return auth, true
	}
	return 0, false
}

// TCPClientReset reports whether a TCP stream starts with a client's hard
// reset behind its length prefix (the whole packet in b), and with which
// tls-auth length.
func TCPClientReset(b []byte) (auth int, ok bool) {
	if len(b) < 2 {
		return 0, false
	}
	n := int(binary.BigEndian.Uint16(b))
	if n > MaxPacket || 2+n > len(b) {
		return 0, false
	}
	return ClientReset(b[2 : 2+n])
}

// LooksLikeTCP reports whether the first segment of a TCP stream is
// OpenVPN's first packet: a length prefix that the packet fills exactly,
// and a client's hard reset
// opcode with key id 0. It is looser than TCPClientReset: a stream that
// looks so is OpenVPN even when its reset does not read with any known
// tls-auth length (tls-crypt), and is then not searched for TLS.
func LooksLikeTCP(b []byte) bool {
	if len(b) < 2+14 {
		return false
	}
	n := int(binary.BigEndian.Uint16(b))
	if n < 14 || 2+n != len(b) || b[2]&7 != 0 { // the reset is sent alone
		return false
	}
	switch b[2] >> 3 {
	case opHardResetClientV1, opHardResetClientV2, opHardResetClientV3:
		return true
	}
	return false
}

// maxHeld bounds the messages held while an earlier one is missing.
const maxHeld = 16

// Channel puts one direction's control messages back in order: each
// message id once, retransmissions dropped, a few messages that came
// early held until the missing one arrives. A gap that never fills stops
// the channel (Broken): what follows it cannot be read as a stream.
type Channel struct {
	next    uint32
	started bool
	held    []Packet // copies, message ids after next
	Broken  bool
}

// Add takes one packet of the direction and calls emit with each payload
// that continues the stream, in order.
func (c *Channel) Add(p Packet, emit func([]byte)) {
	if c.Broken {
		return
	}
	if !c.started {
		c.started, c.next = true, p.MsgID
	}
	switch d := int32(p.MsgID - c.next); {
	case d < 0:
		return // a retransmission
	case d > 0:
		for _, h := range c.held {
			if h.MsgID == p.MsgID {
				return
			}
		}
		if len(c.held) >= maxHeld {
			c.Broken, c.held = true, nil
			return
		}
		p.Payload = append([]byte(nil), p.Payload...)
		c.held = append(c.held, p)
		return
	}
	c.deliver(p, emit)
	for progressed := true; progressed; {
		progressed = false
		for i, h := range c.held {
			if h.MsgID == c.next {
				c.held = append(c.held[:i], c.held[i+1:]...)
				c.deliver(h, emit)
				progressed = true
				break
			}
		}
	}
}

// deliver passes on the payload of a P_CONTROL message: a reset's
// payload (early negotiation TLVs) is not part of the TLS stream.
func (c *Channel) deliver(p Packet, emit func([]byte)) {
	c.next++
	if p.Opcode == opControlV1 && len(p.Payload) > 0 {
		emit(p.Payload)
	}
}

// TCPControlAt reports whether a TCP segment b starts with an OpenVPN
// control packet (behind its length prefix) whose TLS payload begins at
// offset at of b, and with which tls-auth length: how a capture that
// starts after the resets is recognised once a TLS record is found inside
// it, so that the record is read through OpenVPN's framing and not across
// it.
func TCPControlAt(b []byte, at int) (auth int, ok bool) {
	if len(b) < 2+14 || b[2]>>3 != opControlV1 {
		return 0, false
	}
	n := int(binary.BigEndian.Uint16(b))
	if n < 14 || n > MaxPacket || 2+n > len(b) || at >= 2+n {
		return 0, false
	}
	pkt := b[2 : 2+n]
	for _, auth := range authSizes {
		p, ok := Parse(pkt, auth)
		if ok && 2+n-len(p.Payload) == at {
			return auth, true
		}
	}
	return 0, false
}
