// Package tlsinfo owns reading the clear-text part of a TLS handshake: the
// record layer around handshake messages, the ClientHello (SNI, ALPN,
// versions, cipher suites, extensions, signature algorithms, groups) with
// its JA3 and JA4 fingerprints, the ServerHello, and the server Certificate
// message of TLS 1.2 and earlier (subject, issuer, SANs, SHA-1/SHA-256 of the
// DER, self-signed). Every length is checked; lying lengths give an error.
package tlsinfo

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Handshake message types.
const (
	TypeClientHello = 1
	TypeServerHello = 2
	TypeCertificate = 11
)

// Errors.
var (
	ErrShort    = errors.New("tls: message shorter than its lengths claim")
	ErrNotTLS   = errors.New("tls: not a TLS handshake record")
	ErrNotHello = errors.New("tls: not a ClientHello")
)

// ClientHello is what a client offers.
type ClientHello struct {
	LegacyVersion uint16   `json:"legacy_version"`
	Versions      []uint16 `json:"supported_versions,omitempty"`
	Ciphers       []uint16 `json:"ciphers"`
	Extensions    []uint16 `json:"extensions"`
	SNI           string   `json:"sni,omitempty"`
	ALPN          []string `json:"alpn,omitempty"`
	SigAlgs       []uint16 `json:"signature_algorithms,omitempty"`
	Groups        []uint16 `json:"groups,omitempty"`
	PointFormats  []uint8  `json:"ec_point_formats,omitempty"`
}

// IsGREASE reports whether v is a GREASE value (RFC 8701).
func IsGREASE(v uint16) bool { return v&0x0f0f == 0x0a0a && v>>8 == v&0xff }

type reader struct {
	b   []byte
	err bool
}

func (r *reader) u8() uint8 {
	if len(r.b) < 1 {
		r.err = true
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *reader) u16() uint16 {
	if len(r.b) < 2 {
		r.err = true
		r.b = nil
		return 0
	}
	v := binary.BigEndian.Uint16(r.b)
	r.b = r.b[2:]
	return v
}

func (r *reader) u24() int {
	if len(r.b) < 3 {
		r.err = true
		r.b = nil
		return 0
	}
	v := int(r.b[0])<<16 | int(r.b[1])<<8 | int(r.b[2])
	r.b = r.b[3:]
	return v
}

func (r *reader) bytes(n int) []byte {
	if n < 0 || n > len(r.b) {
		r.err = true
		r.b = nil
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

// cut returns the next n bytes, or all that are left when fewer are
// (cut is then true): what a message cut short still holds.
func (r *reader) cut(n int) (v []byte, cut bool) {
	if r.err {
		return nil, false
	}
	if n > len(r.b) {
		v, r.b = r.b, nil
		return v, true
	}
	return r.bytes(n), false
}

func (r *reader) vec8() []byte  { return r.bytes(int(r.u8())) }
func (r *reader) vec16() []byte { return r.bytes(int(r.u16())) }

// ParseClientHello parses a handshake message (type 1, 3-byte length, body),
// as found in a TLS record or a QUIC CRYPTO stream.
func ParseClientHello(msg []byte) (*ClientHello, error) {
	r := reader{b: msg}
	if r.u8() != TypeClientHello {
		return nil, ErrNotHello
	}
	n := r.u24()
	body := r.bytes(n)
	if r.err {
		return nil, ErrShort
	}
	r = reader{b: body}
	ch := &ClientHello{LegacyVersion: r.u16()}
	r.bytes(32) // random
	r.vec8()    // session id
	cs := reader{b: r.vec16()}
	ch.Ciphers = u16s(&cs)
	r.vec8() // compression methods
	if r.err {
		return nil, ErrShort
	}
	if len(r.b) == 0 {
		return ch, nil // no extensions
	}
	exts := reader{b: r.vec16()}
	if r.err {
		return nil, ErrShort
	}
	if n := countExtensions(exts.b); n > 0 {
		ch.Extensions = make([]uint16, 0, n)
	}
	for len(exts.b) > 0 {
		typ := exts.u16()
		data := exts.vec16()
		if exts.err {
			return nil, fmt.Errorf("%w: extension %#04x", ErrShort, typ)
		}
		ch.Extensions = append(ch.Extensions, typ)
		if err := ch.extension(typ, data); err != nil {
			return nil, err
		}
	}
	return ch, nil
}

// u16s reads the rest of l as big-endian 16-bit values (a trailing odd
// byte is left), into a slice of exactly their number; nil when none.
func u16s(l *reader) []uint16 {
	n := len(l.b) / 2
	if n == 0 {
		return nil
	}
	out := make([]uint16, n)
	for i := range out {
		out[i] = l.u16()
	}
	return out
}

// appendU16s appends the rest of l's 16-bit values to dst (an extension
// sent twice adds to the first).
func appendU16s(dst []uint16, l *reader) []uint16 {
	if dst == nil {
		return u16s(l)
	}
	for len(l.b) >= 2 {
		dst = append(dst, l.u16())
	}
	return dst
}

// countExtensions counts the extensions of an extensions block, to size
// the list once; a block cut short counts what is whole (the parse reports
// the error).
func countExtensions(b []byte) int {
	n := 0
	for len(b) >= 4 {
		l := 4 + (int(b[2])<<8 | int(b[3]))
		n++
		if l > len(b) {
			break
		}
		b = b[l:]
	}
	return n
}

// alpnString is string(p), without an allocation for the protocols nearly
// every ClientHello offers.
func alpnString(p []byte) string {
	switch string(p) {
	case "h2":
		return "h2"
	case "http/1.1":
		return "http/1.1"
	case "h3":
		return "h3"
	}
	return string(p)
}

func (ch *ClientHello) extension(typ uint16, data []byte) error {
	e := reader{b: data}
	switch typ {
	case 0: // server_name
		l := reader{b: e.vec16()}
		for len(l.b) > 0 && !l.err {
			kind := l.u8()
			name := l.vec16()
			if kind == 0 && ch.SNI == "" && !l.err {
				ch.SNI = string(name)
			}
		}
		e.err = e.err || l.err
	case 16: // ALPN
		l := reader{b: e.vec16()}
		for len(l.b) > 0 && !l.err {
			p := l.vec8()
			if !l.err {
				ch.ALPN = append(ch.ALPN, alpnString(p))
			}
		}
		e.err = e.err || l.err
	case 10: // supported_groups
		l := reader{b: e.vec16()}
		ch.Groups = appendU16s(ch.Groups, &l)
	case 11: // ec_point_formats
		ch.PointFormats = append(ch.PointFormats, e.vec8()...)
	case 13: // signature_algorithms
		l := reader{b: e.vec16()}
		ch.SigAlgs = appendU16s(ch.SigAlgs, &l)
	case 43: // supported_versions
		l := reader{b: e.vec8()}
		ch.Versions = appendU16s(ch.Versions, &l)
	}
	if e.err {
		return fmt.Errorf("%w: extension %#04x", ErrShort, typ)
	}
	return nil
}

// ServerHello is the server's choice.
type ServerHello struct {
	Version    uint16 `json:"version"` // negotiated (supported_versions when present)
	Cipher     uint16 `json:"cipher"`
	RetryHello bool   `json:"hello_retry_request,omitempty"` // a HelloRetryRequest (RFC 8446 §4.1.3)
}

// helloRetryRandom is the Random of a HelloRetryRequest: SHA-256 of
// "HelloRetryRequest".
var helloRetryRandom = [32]byte{0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C, 0x02, 0x1E, 0x65, 0xB8, 0x91,
	0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB, 0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C}

// ParseServerHello parses a ServerHello handshake message.
func ParseServerHello(msg []byte) (*ServerHello, error) {
	r := reader{b: msg}
	if r.u8() != TypeServerHello {
		return nil, errors.New("tls: not a ServerHello")
	}
	r = reader{b: r.bytes(r.u24())}
	sh := &ServerHello{Version: r.u16()}
	if random := r.bytes(32); len(random) == 32 && [32]byte(random) == helloRetryRandom {
		sh.RetryHello = true
	}
	r.vec8()
	sh.Cipher = r.u16()
	r.u8()
	if r.err {
		return nil, ErrShort
	}
	exts := reader{b: r.vec16()}
	for len(exts.b) >= 4 && !exts.err {
		typ := exts.u16()
		d := exts.vec16()
		if typ == 43 && len(d) == 2 {
			sh.Version = binary.BigEndian.Uint16(d)
		}
	}
	return sh, nil
}

// VersionName names a TLS version.
func VersionName(v uint16) string {
	switch v {
	case 0x0300:
		return "SSLv3"
	case 0x0301:
		return "TLSv1.0"
	case 0x0302:
		return "TLSv1.1"
	case 0x0303:
		return "TLSv1.2"
	case 0x0304:
		return "TLSv1.3"
	}
	return fmt.Sprintf("0x%04x", v)
}
