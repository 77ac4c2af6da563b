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
	"fmt"
	"strconv"
)

// Versions this package can decrypt.
const (
	Version1     uint32 = 0x00000001
	Version2     uint32 = 0x6b3343cf
	VersionMvfst uint32 = 0xfaceb001 // Facebook mvfst, draft-22 based
	// VersionMvfst27 and VersionMvfstExp are mvfst's draft-27 based versions.
	VersionMvfst27  uint32 = 0xfaceb002
	VersionMvfstExp uint32 = 0xfaceb00e
	VersionT050     uint32 = 0x54303530 // Google QUIC with TLS, "T050"
	VersionT051     uint32 = 0x54303531 // "T051"
)

// versionInfo is what differs between versions for Initial packets.
type versionInfo struct {
	salts       [][]byte // Initial salts to try, in order
	initialType byte     // long-header packet type of Initial packets
	keyLabel    string
	ivLabel     string
	hpLabel     string
	gquic       bool // Google's T05x frame encoding (CRYPTO is frame 0x08)
}

// IsGreased reports whether v is a reserved version of the form
// 0x?a?a?a?a (RFC 9000 §15), which clients send to force version
// negotiation.
func IsGreased(v uint32) bool { return v&0x0f0f0f0f == 0x0a0a0a0a }

var (
	saltV1      = []byte{0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17, 0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a}
	saltV2      = []byte{0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93, 0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9}
	saltDraft29 = []byte{0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97, 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99}
	saltDraft23 = []byte{0xc3, 0xee, 0xf7, 0x12, 0xc7, 0x2e, 0xbb, 0x5a, 0x11, 0xa7, 0xd2, 0x43, 0x2b, 0xb4, 0x63, 0x65, 0xbe, 0xf9, 0xf5, 0x02}
	saltDraft22 = []byte{0x7f, 0xbc, 0xdb, 0x0e, 0x7c, 0x66, 0xbb, 0xe9, 0x19, 0x3a, 0x96, 0xcd, 0x21, 0x51, 0x9e, 0xbd, 0x7a, 0x02, 0x64, 0x4a}
	saltT050    = []byte{0x7f, 0xf5, 0x79, 0xe5, 0xac, 0xd0, 0x72, 0x91, 0x55, 0x80, 0x30, 0x4c, 0x43, 0xa2, 0x36, 0x7c, 0x60, 0x48, 0x83, 0x10}
	saltT051    = []byte{0x7a, 0x4e, 0xde, 0xf4, 0xe7, 0xcc, 0xee, 0x5f, 0xa4, 0x50, 0x6c, 0x19, 0x12, 0x4f, 0xc8, 0xcc, 0xda, 0x6e, 0x03, 0x3d}

	infoV1      = ietfInfo(saltV1)
	infoV2      = &versionInfo{[][]byte{saltV2}, 1, "quicv2 key", "quicv2 iv", "quicv2 hp", false}
	infoDraft29 = ietfInfo(saltDraft29)
	infoDraft23 = ietfInfo(saltDraft23)
	infoDraft22 = ietfInfo(saltDraft22)
	// mvfst's draft-22 version: nDPI's quic-mvfst-22.pcap opens with the
	// draft-22 salt; the draft-23 one (which some readers use for every
	// mvfst version) is tried next, the AEAD tag telling which is right.
	infoMvfst = ietfInfo(saltDraft22, saltDraft23)
	infoT050  = &versionInfo{[][]byte{saltT050}, 0, "quic key", "quic iv", "quic hp", true}
	infoT051  = &versionInfo{[][]byte{saltT051}, 0, "quic key", "quic iv", "quic hp", true}
	// a greased version's Initial is protected with the salt of the
	// version the client would otherwise have sent: v1's today (nDPI reads
	// them so), draft-29's or draft-23's (drafts 23-28) for the clients of
	// 2020 (the QUIC interop runner's version negotiation test, nDPI's
	// quic_interop_V.pcapng); the AEAD tag tells which is right. The server
	// answers with version negotiation and the client starts again.
	infoGreased = ietfInfo(saltV1, saltDraft29, saltDraft23)
)

func ietfInfo(salts ...[]byte) *versionInfo {
	return &versionInfo{salts, 0, "quic key", "quic iv", "quic hp", false}
}

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
	case v == 0xff000015 || v == 0xff000016: // drafts 21 and 22
		return infoDraft22
	case v == 0xff000021 || v == 0xff000022: // drafts 33 and 34 used the v1 salt
		return infoV1
	case v == VersionMvfst:
		return infoMvfst
	case v == VersionMvfst27 || v == VersionMvfstExp:
		return infoDraft23
	case v == VersionT050:
		return infoT050
	case v == VersionT051:
		return infoT051
	case IsGreased(v):
		return infoGreased
	}
	return nil
}

// VersionName names a QUIC version: "v1", "v2", "draft-29", "mvfst-22",
// "mvfst-27", "mvfst-exp", "T050", "greased 0x1a2a3a4a"...
func VersionName(v uint32) string {
	switch {
	case v == Version1:
		return "v1"
	case v == Version2:
		return "v2"
	case v&0xffffff00 == 0xff000000:
		return "draft-" + strconv.Itoa(int(v&0xff))
	case v == VersionMvfst:
		return "mvfst-22"
	case v == VersionMvfst27:
		return "mvfst-27"
	case v == VersionMvfstExp:
		return "mvfst-exp"
	case v&0xffffff00 == 0x54303500, v&0xffffff00 == 0x51303400, v&0xffffff00 == 0x51303500:
		return string([]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}) // T050, Q046, Q050...
	case IsGreased(v):
		return fmt.Sprintf("greased 0x%08x", v)
	}
	return fmt.Sprintf("0x%08x", v)
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
// Destination Connection ID of the client's first Initial packet (with the
// version's first salt).
func ClientInitialSecret(version uint32, dcid []byte) ([]byte, bool) {
	vi := lookupVersion(version)
	if vi == nil {
		return nil, false
	}
	return initialSecret(vi.salts[0], dcid)
}

func initialSecret(salt, dcid []byte) ([]byte, bool) {
	initial, err := hkdf.Extract(sha256.New, dcid, salt)
	if err != nil {
		return nil, false
	}
	secret := expandLabel(initial, "client in", 32)
	return secret, len(secret) == 32
}

// ClientInitialKeys derives the client Initial keys for version and dcid
// (with the version's first salt).
func ClientInitialKeys(version uint32, dcid []byte) (*Keys, bool) {
	vi := lookupVersion(version)
	if vi == nil {
		return nil, false
	}
	return keysFor(vi, vi.salts[0], dcid)
}

// candidateKeys derives the keys of every salt the version may use.
func candidateKeys(version uint32, dcid []byte) []*Keys {
	vi := lookupVersion(version)
	if vi == nil {
		return nil
	}
	out := make([]*Keys, 0, len(vi.salts))
	for _, salt := range vi.salts {
		if k, ok := keysFor(vi, salt, dcid); ok {
			out = append(out, k)
		}
	}
	return out
}

func keysFor(vi *versionInfo, salt, dcid []byte) (*Keys, bool) {
	secret, ok := initialSecret(salt, dcid)
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
