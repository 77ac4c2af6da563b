package quic

import (
	"encoding/binary"
	"encoding/hex"
	"os"
	"strings"
	"testing"
)

var rfcDCID = []byte{0x83, 0x94, 0xc8, 0xf0, 0x3e, 0x51, 0x57, 0x08}

func readHex(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.Join(strings.Fields(string(raw)), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func appendVarint(b []byte, v uint64) []byte {
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

// cryptoFrame encodes a CRYPTO frame with a 2-byte length, as the RFC sample.
func cryptoFrame(off uint64, data []byte) []byte {
	b := appendVarint([]byte{frameCrypto}, off)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data))|0x4000)
	return append(b, data...)
}

// sealInitial builds a protected client Initial packet carrying frames,
// padded so the packet is at least minSize bytes, with a 4-byte packet
// number, as RFC 9001 Appendix A does.
func sealInitial(t testing.TB, version uint32, dcid, scid []byte, pn uint32, frames []byte, minSize int) []byte {
	t.Helper()
	return sealInitialAs(t, version, version, dcid, scid, pn, frames, minSize)
}

// sealInitialAs seals an Initial whose header says version with the keys
// of keysOf (a greased version's Initial protected as another's).
func sealInitialAs(t testing.TB, version, keysOf uint32, dcid, scid []byte, pn uint32, frames []byte, minSize int) []byte {
	t.Helper()
	keys, ok := ClientInitialKeys(keysOf, dcid)
	if !ok {
		t.Fatalf("no keys for version %#x", version)
	}
	typ := lookupVersion(version).initialType
	hdr := []byte{0xc0 | typ<<4 | 0x03}
	hdr = binary.BigEndian.AppendUint32(hdr, version)
	hdr = append(hdr, byte(len(dcid)))
	hdr = append(hdr, dcid...)
	hdr = append(hdr, byte(len(scid)))
	hdr = append(hdr, scid...)
	hdr = append(hdr, 0) // no token
	payload := append([]byte(nil), frames...)
	fixed := len(hdr) + 2 + 4 + tagLen
	if fixed+len(payload) < minSize {
		payload = append(payload, make([]byte, minSize-fixed-len(payload))...)
	}
	hdr = binary.BigEndian.AppendUint16(hdr, uint16(4+len(payload)+tagLen)|0x4000)
	pnOffset := len(hdr)
	hdr = binary.BigEndian.AppendUint32(hdr, pn)
	var nonce [12]byte
	copy(nonce[:], keys.IV)
	for i := 0; i < 4; i++ {
		nonce[11-i] ^= byte(pn >> (8 * i))
	}
	pkt := keys.aead.Seal(append([]byte(nil), hdr...), nonce[:], payload, hdr)
	var mask [16]byte
	keys.hp.Encrypt(mask[:], pkt[pnOffset+4:pnOffset+20])
	pkt[0] ^= mask[0] & 0x0f
	for i := 0; i < 4; i++ {
		pkt[pnOffset+i] ^= mask[1+i]
	}
	return pkt
}

// buildHello returns a TLS 1.3 ClientHello handshake message with the given
// SNI and ALPN and a padding extension of padLen bytes.
func buildHello(sni string, alpn []string, padLen int) []byte {
	var body []byte
	body = append(body, 0x03, 0x03)
	body = append(body, make([]byte, 32)...) // random
	body = append(body, 0)                   // session id
	body = append(body, 0, 4, 0x13, 0x01, 0x13, 0x02)
	body = append(body, 1, 0) // compression
	var ext []byte
	if sni != "" {
		name := []byte{0}
		name = binary.BigEndian.AppendUint16(name, uint16(len(sni)))
		name = append(name, sni...)
		list := binary.BigEndian.AppendUint16(nil, uint16(len(name)))
		list = append(list, name...)
		ext = appendExt(ext, 0, list)
	}
	if len(alpn) > 0 {
		var l []byte
		for _, p := range alpn {
			l = append(l, byte(len(p)))
			l = append(l, p...)
		}
		ext = appendExt(ext, 16, append(binary.BigEndian.AppendUint16(nil, uint16(len(l))), l...))
	}
	ext = appendExt(ext, 43, []byte{2, 0x03, 0x04})
	if padLen > 0 {
		ext = appendExt(ext, 21, make([]byte, padLen))
	}
	body = binary.BigEndian.AppendUint16(body, uint16(len(ext)))
	body = append(body, ext...)
	msg := []byte{0x01, byte(len(body) >> 16), byte(len(body) >> 8), byte(len(body))}
	return append(msg, body...)
}

func appendExt(b []byte, typ uint16, data []byte) []byte {
	b = binary.BigEndian.AppendUint16(b, typ)
	b = binary.BigEndian.AppendUint16(b, uint16(len(data)))
	return append(b, data...)
}

// helloInfo is what the tests read from a ClientHello.
type helloInfo struct {
	sni     string
	alpn    []string
	ciphers int
	exts    int
}

// parseHello is a minimal ClientHello reader for the tests.
func parseHello(t testing.TB, m []byte) helloInfo {
	t.Helper()
	var hi helloInfo
	fail := func() helloInfo { t.Fatalf("malformed ClientHello (%d bytes)", len(m)); return hi }
	if len(m) < 4 || m[0] != 1 {
		return fail()
	}
	p := m[4:]
	if len(p) < 35 {
		return fail()
	}
	p = p[34:]
	sid := int(p[0])
	if len(p) < 1+sid+2 {
		return fail()
	}
	p = p[1+sid:]
	cs := int(binary.BigEndian.Uint16(p))
	if len(p) < 2+cs+1 {
		return fail()
	}
	hi.ciphers = cs / 2
	p = p[2+cs:]
	comp := int(p[0])
	if len(p) < 1+comp+2 {
		return fail()
	}
	p = p[1+comp:]
	el := int(binary.BigEndian.Uint16(p))
	p = p[2:]
	if len(p) < el {
		return fail()
	}
	p = p[:el]
	for len(p) >= 4 {
		typ := binary.BigEndian.Uint16(p)
		l := int(binary.BigEndian.Uint16(p[2:]))
		if len(p) < 4+l {
			return fail()
		}
		d := p[4 : 4+l]
		p = p[4+l:]
		hi.exts++
		switch typ {
		case 0:
			if len(d) >= 5 && d[2] == 0 {
				n := int(binary.BigEndian.Uint16(d[3:]))
				if len(d) >= 5+n {
					hi.sni = string(d[5 : 5+n])
				}
			}
		case 16:
			if len(d) >= 2 {
				d = d[2:]
				for len(d) > 0 && len(d) >= 1+int(d[0]) {
					hi.alpn = append(hi.alpn, string(d[1:1+int(d[0])]))
					d = d[1+int(d[0]):]
				}
			}
		}
	}
	return hi
}
