package netgen

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"errors"

	"github.com/spyscan/spyscan/internal/network/quic"
)

// QUIC versions.
const (
	QUICv1 = 0x00000001
	QUICv2 = 0x6b3343cf
)

func varint(b []byte, v uint64) []byte {
	switch {
	case v < 1<<6:
		return append(b, byte(v))
	case v < 1<<14:
		return binary.BigEndian.AppendUint16(b, uint16(v)|0x4000)
	case v < 1<<30:
		return binary.BigEndian.AppendUint32(b, uint32(v)|0x80000000)
	}
	return binary.BigEndian.AppendUint64(b, v|0xc000000000000000)
}

// QUICInitial builds a client Initial packet (RFC 9000/9001, RFC 9369 for
// v2) carrying one CRYPTO frame (data at offset off), padded to 1200 bytes,
// protected with the Initial keys derived from dcid. Any version the quic
// package decrypts may be used: drafts, mvfst, Google's T05x (whose CRYPTO
// frame is type 0x08), greased versions.
func QUICInitial(version uint32, dcid []byte, pn uint32, off uint64, data []byte) ([]byte, error) {
	keys, ok := quic.ClientInitialKeys(version, dcid)
	if !ok {
		return nil, errors.New("netgen: unknown QUIC version")
	}
	frameType := byte(0x06)
	if version&0xffffff00 == 0x54303500 {
		frameType = 0x08
	}
	frames := append(varint([]byte{frameType}, off), varint(nil, uint64(len(data)))...)
	frames = append(frames, data...)
	typ := byte(0) // Initial in v1
	if version == QUICv2 {
		typ = 1
	}
	hdr := []byte{0xc0 | typ<<4 | 3} // 4-byte packet number
	hdr = binary.BigEndian.AppendUint32(hdr, version)
	hdr = append(hdr, byte(len(dcid)))
	hdr = append(hdr, dcid...)
	hdr = append(hdr, 0) // empty source connection ID
	hdr = append(hdr, 0) // no token
	// pad the payload so the whole datagram is 1200 bytes
	fixed := len(hdr) + 2 + 4 + 16
	if pad := 1200 - fixed - len(frames); pad > 0 {
		frames = append(frames, make([]byte, pad)...)
	}
	hdr = binary.BigEndian.AppendUint16(hdr, uint16(4+len(frames)+16)|0x4000)
	pnOff := len(hdr)
	hdr = binary.BigEndian.AppendUint32(hdr, pn)

	block, err := aes.NewCipher(keys.Key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	nonce := append([]byte(nil), keys.IV...)
	for i := 0; i < 4; i++ {
		nonce[len(nonce)-1-i] ^= byte(pn >> (8 * i))
	}
	pkt := aead.Seal(append([]byte(nil), hdr...), nonce, frames, hdr)

	hp, err := aes.NewCipher(keys.HP)
	if err != nil {
		return nil, err
	}
	mask := make([]byte, 16)
	hp.Encrypt(mask, pkt[pnOff+4:pnOff+20])
	pkt[0] ^= mask[0] & 0x0f
	for i := 0; i < 4; i++ {
		pkt[pnOff+i] ^= mask[1+i]
	}
	return pkt, nil
}
