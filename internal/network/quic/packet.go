package quic

import (
	"encoding/binary"
	"errors"
)

// Reasons a packet or datagram is refused. Callers count them per reason.
var (
	ErrTruncated   = errors.New("quic: truncated packet")
	ErrMalformed   = errors.New("quic: malformed packet")
	ErrDecrypt     = errors.New("quic: Initial packet does not decrypt")
	ErrFrame       = errors.New("quic: malformed frame in Initial packet")
	ErrCryptoLimit = errors.New("quic: CRYPTO stream beyond the reassembly limit")
	ErrNotHello    = errors.New("quic: CRYPTO stream does not start with a ClientHello")
)

const (
	maxCIDLen   = 20
	sampleLen   = 16
	tagLen      = 16
	minInitial  = 1 + 4 + 1 + 1 + 1 + 1 // flags, version, two CID lengths, token length, length
	maxPNLength = 4
)

// longHeader is a parsed long-header packet before header protection is
// removed.
type longHeader struct {
	version  uint32
	typ      byte // type bits, version-specific meaning
	dcid     []byte
	scid     []byte
	pnOffset int // offset of the packet number in the packet
	end      int // offset just past this packet in the datagram
}

// readVarint decodes a QUIC variable-length integer (RFC 9000 §16).
func readVarint(b []byte) (v uint64, n int, ok bool) {
	if len(b) == 0 {
		return 0, 0, false
	}
	n = 1 << (b[0] >> 6)
	if len(b) < n {
		return 0, 0, false
	}
	v = uint64(b[0] & 0x3f)
	for i := 1; i < n; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v, n, true
}

// parseLongHeader parses the long header at the start of b. It reports
// ok=false for a short-header packet or a version-negotiation packet, which
// end the datagram's useful content.
func parseLongHeader(b []byte) (h longHeader, ok bool, err error) {
	if len(b) < 7 || b[0]&0x80 == 0 {
		return h, false, nil
	}
	h.version = binary.BigEndian.Uint32(b[1:5])
	if h.version == 0 { // version negotiation
		return h, false, nil
	}
	h.typ = (b[0] >> 4) & 0x03
	off := 5
	dl := int(b[off])
	off++
	if dl > maxCIDLen {
		return h, false, ErrMalformed
	}
	if len(b) < off+dl+1 {
		return h, false, ErrTruncated
	}
	h.dcid = b[off : off+dl]
	off += dl
	sl := int(b[off])
	off++
	if sl > maxCIDLen {
		return h, false, ErrMalformed
	}
	if len(b) < off+sl {
		return h, false, ErrTruncated
	}
	h.scid = b[off : off+sl]
	off += sl
	vi := lookupVersion(h.version)
	retry := byte(3)
	if h.version == Version2 {
		retry = 0
	}
	if vi == nil || h.typ == retry {
		// Unknown version or Retry: no length field we can trust; stop here.
		h.end = len(b)
		return h, true, nil
	}
	if h.typ == vi.initialType {
		tl, n, ok := readVarint(b[off:])
		if !ok {
			return h, false, ErrTruncated
		}
		off += n
		if tl > uint64(len(b)-off) {
			return h, false, ErrTruncated
		}
		off += int(tl)
	}
	length, n, ok := readVarint(b[off:])
	if !ok {
		return h, false, ErrTruncated
	}
	off += n
	if length > uint64(len(b)-off) {
		return h, false, ErrTruncated
	}
	h.pnOffset = off
	h.end = off + int(length)
	return h, true, nil
}

// isInitial reports whether h is an Initial packet of a decryptable version.
func (h *longHeader) isInitial() bool {
	vi := lookupVersion(h.version)
	return vi != nil && h.typ == vi.initialType
}

// openInitial removes header protection from the Initial packet pkt
// (exactly one packet, pkt[:h.end]) and decrypts its payload into dst. pkt
// is not modified. largest is the largest packet number already seen on the
// connection (-1 when none), used to expand the truncated packet number.
func openInitial(dst []byte, pkt []byte, h *longHeader, k *Keys, largest int64) (plain []byte, pn int64, err error) {
	if h.pnOffset+maxPNLength+sampleLen > h.end {
		return nil, 0, ErrTruncated
	}
	var mask [aesBlock]byte
	k.hp.Encrypt(mask[:], pkt[h.pnOffset+maxPNLength:h.pnOffset+maxPNLength+sampleLen])
	first := pkt[0] ^ (mask[0] & 0x0f)
	pnLen := int(first&0x03) + 1
	payloadStart := h.pnOffset + pnLen
	if payloadStart+tagLen > h.end {
		return nil, 0, ErrTruncated
	}
	// The associated data is the unprotected header; rebuild it in a small
	// stack buffer (headers are at most a few hundred bytes with a token, so
	// fall back to the heap beyond that).
	var hdrBuf [128]byte
	var hdr []byte
	if payloadStart <= len(hdrBuf) {
		hdr = hdrBuf[:payloadStart]
	} else {
		hdr = make([]byte, payloadStart)
	}
	copy(hdr, pkt[:payloadStart])
	hdr[0] = first
	var truncated uint64
	for i := 0; i < pnLen; i++ {
		hdr[h.pnOffset+i] ^= mask[1+i]
		truncated = truncated<<8 | uint64(hdr[h.pnOffset+i])
	}
	pn = decodePacketNumber(largest, truncated, pnLen*8)
	var nonce [12]byte
	copy(nonce[:], k.IV)
	for i := 0; i < 8; i++ {
		nonce[11-i] ^= byte(uint64(pn) >> (8 * i))
	}
	plain, err = k.aead.Open(dst[:0], nonce[:], pkt[payloadStart:h.end], hdr)
	if err != nil {
		return nil, 0, ErrDecrypt
	}
	return plain, pn, nil
}

const aesBlock = 16

// decodePacketNumber expands a truncated packet number (RFC 9000 §A.3).
func decodePacketNumber(largest int64, truncated uint64, bits int) int64 {
	expected := largest + 1
	win := int64(1) << bits
	half := win / 2
	mask := win - 1
	candidate := (expected &^ mask) | int64(truncated)
	switch {
	case candidate <= expected-half && candidate < (1<<62)-win:
		return candidate + win
	case candidate > expected+half && candidate >= win:
		return candidate - win
	}
	return candidate
}

// LooksLikeInitial reports whether payload starts with a QUIC long-header
// Initial packet of a version this package decrypts. It only reads the
// header and is meant to pick QUIC out of UDP traffic cheaply.
func LooksLikeInitial(payload []byte) bool {
	if len(payload) < minInitial || payload[0]&0xc0 != 0xc0 {
		return false
	}
	h, ok, err := parseLongHeader(payload)
	return ok && err == nil && h.isInitial() && h.end-h.pnOffset >= maxPNLength+sampleLen
}
