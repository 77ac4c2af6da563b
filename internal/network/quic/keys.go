// Package quic owns the decryption of QUIC client Initial packets (RFC 9000,
// RFC 9001, RFC 9369 for QUIC v2, and the late IETF drafts): it derives the
// Initial keys from the Destination Connection ID, removes header
// protection, opens the AES-128-GCM payload, parses the frames allowed in
// Initial packets, and reassembles the CRYPTO stream of each connection
// until it holds a complete TLS ClientHello. It never sends anything and
// keeps bounded state whatever the input.
package quic

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"encoding/binary"
)

// Versions this package can decrypt.
const (
	Version1 uint32 = 0x00000001
	Version2 uint32 = 0x6b3343cf
)

// versionInfo is what differs between versions for Initial packets.
type versionInfo struct {
	salt        []byte
	initialType byte // long-header packet type of Initial packets
	keyLabel    string
	ivLabel     string
	hpLabel     string
}

var (
	saltV1      = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	saltV2      = []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}
	saltDraft29 = []byte{0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
	saltDraft23 = []byte{0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02}

	infoV1      = &versionInfo{saltV1, 0, "quic key", "quic iv", "quic hp"}
	infoV2      = &versionInfo{saltV2, 1, "quicv2 key", "quicv2 iv", "quicv2 hp"}
	infoDraft29 = &versionInfo{saltDraft29, 0, "quic key", "quic iv", "quic hp"}
	infoDraft23 = &versionInfo{saltDraft23, 0, "quic key", "quic iv", "quic hp"}
)

// lookupVersion returns the Initial parameters of version v, or nil.
func lookupVersion(v uint32) *versionInfo {
	switch {
	case v == Version1:
		return infoV1
	case v == Version2:
		return infoV2
	case v >= 0xff00001d && v <= 0xff000020: // drafts 29 to 32
		return infoDraft29
	case v >= 0xff000017 && v <= 0xff00001c: // drafts 23 to 28
		return infoDraft23
	case v == 0xff000021 || v == 0xff000022: // drafts 33 and 34 used the v1 salt
		return infoV1
	}
	return nil
}

// Keys are the client Initial packet-protection keys of one connection.
type Keys struct {
	Key, IV, HP []byte
	aead        cipher.AEAD
	hp          cipher.Block
}

// expandLabel is HKDF-Expand-Label of TLS 1.3 (RFC 8446 §7.1) with an
// empty context.
func expandLabel(secret []byte, label string, length int) []byte {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = binary.BigEndian.AppendUint16(info, uint16(length))
	info = append(info, byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	out, err := hkdf.Expand(sha256.New, secret, string(info), length)
	if err != nil { // only for lengths beyond 255*32, never asked here
		return nil
	}
	return out
}

// ClientInitialSecret derives the client Initial secret from the
// Destination Connection ID of the client's first Initial packet.
func ClientInitialSecret(version uint32, dcid []byte) ([]byte, bool) {
	vi := lookupVersion(version)
	if vi == nil {
		return nil, false
	}
	initial, err := hkdf.Extract(sha256.New, dcid, vi.salt)
	if err != nil {
		return nil, false
	}
	secret := expandLabel(initial, "client in", 32)
	return secret, len(secret) == 32
}

// ClientInitialKeys derives the client Initial keys for version and dcid.
func ClientInitialKeys(version uint32, dcid []byte) (*Keys, bool) {
	vi := lookupVersion(version)
	secret, ok := ClientInitialSecret(version, dcid)
	if !ok {
		return nil, false
	}
	k := &Keys{
		Key: expandLabel(secret, vi.keyLabel, 16),
		IV:  expandLabel(secret, vi.ivLabel, 12),
		HP:  expandLabel(secret, vi.hpLabel, 16),
	}
	if len(k.Key) != 16 || len(k.IV) != 12 || len(k.HP) != 16 {
		return nil, false
	}
	block, err := aes.NewCipher(k.Key)
	if err != nil {
		return nil, false
	}
	if k.aead, err = cipher.NewGCM(block); err != nil {
		return nil, false
	}
	if k.hp, err = aes.NewCipher(k.HP); err != nil {
		return nil, false
	}
	return k, true
}
