package tlsinfo

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
)

// JA3 returns the JA3 fingerprint (MD5, hex) of a ClientHello: version,
// ciphers, extensions, groups and point formats, GREASE removed.
func JA3(ch *ClientHello) string {
	var buf [512]byte
	h := md5.Sum(appendJA3(buf[:0], ch))
	return hex.EncodeToString(h[:])
}

// JA3String returns the JA3 string before hashing.
func JA3String(ch *ClientHello) string {
	var buf [512]byte
	return string(appendJA3(buf[:0], ch))
}

func appendJA3(b []byte, ch *ClientHello) []byte {
	b = strconv.AppendUint(b, uint64(ch.LegacyVersion), 10)
	b = append(b, ',')
	b = appendJoin16(b, ch.Ciphers)
	b = append(b, ',')
	b = appendJoin16(b, ch.Extensions)
	b = append(b, ',')
	b = appendJoin16(b, ch.Groups)
	b = append(b, ',')
	for i, p := range ch.PointFormats {
		if i > 0 {
			b = append(b, '-')
		}
		b = strconv.AppendUint(b, uint64(p), 10)
	}
	return b
}

// appendJoin16 appends the decimal values that are not GREASE, joined by '-'.
func appendJoin16(b []byte, vs []uint16) []byte {
	first := true
	for _, v := range vs {
		if IsGREASE(v) {
			continue
		}
		if !first {
			b = append(b, '-')
		}
		first = false
		b = strconv.AppendUint(b, uint64(v), 10)
	}
	return b
}

// JA4 returns the JA4 fingerprint of a ClientHello, following the public
// FoxIO JA4 (TLS client) specification (BSD-3-Clause). transport is 't' for
// TCP, 'q' for QUIC, 'd' for DTLS.
func JA4(ch *ClientHello, transport byte) string {
	spec, _ := JA4Forms(ch, transport)
	return spec
}

// JA4Forms returns the JA4 of the written specification and the one
// FoxIO's reference implementation prints. They differ only when the first
// ALPN value starts or ends with a byte that is not an ASCII letter or
// digit: the specification prints the first and last characters of the
// value's hex ("\xba\xad" gives "bd"), the reference code reads the value
// through tshark's ASCII string and prints "9" for every byte above 0x7f
// ("99"), any other character as it is, and "0" for a missing last
// character of a one-byte value. Indicators are matched against both.
func JA4Forms(ch *ClientHello, transport byte) (spec, reference string) {
	var buf [64]byte
	b := append(buf[:0], transport)
	b = append(b, ja4Version(ch)...)
	if ch.SNI != "" {
		b = append(b, 'd')
	} else {
		b = append(b, 'i')
	}
	var cbuf, ebuf [64]uint16 // on the stack for any usual hello
	ciphers := appendNoGrease(cbuf[:0], ch.Ciphers)
	exts := appendNoGrease(ebuf[:0], ch.Extensions)
	b = append2Digits(b, min(len(ciphers), 99))
	b = append2Digits(b, min(len(exts), 99))
	alpn := len(b)
	sp := ja4ALPN(ch.ALPN)
	b = append(b, sp[0], sp[1], '_')

	var hbuf [512]byte
	if len(ciphers) > 0 {
		slices.Sort(ciphers)
		b = appendHash12(b, appendHexList(hbuf[:0], ciphers))
	} else {
		b = append(b, "000000000000"...)
	}
	b = append(b, '_')
	kept := exts[:0] // the extensions but SNI and ALPN, in place
	for _, e := range exts {
		if e != 0x0000 && e != 0x0010 {
			kept = append(kept, e)
		}
	}
	if len(kept) > 0 {
		slices.Sort(kept)
		in := appendHexList(hbuf[:0], kept)
		var sbuf [64]uint16
		if sa := appendNoGrease(sbuf[:0], ch.SigAlgs); len(sa) > 0 {
			in = appendHexList(append(in, '_'), sa)
		}
		b = appendHash12(b, in)
	} else {
		b = append(b, "000000000000"...)
	}
	spec = string(b)
	if ref := ja4ALPNReference(ch.ALPN); ref != sp {
		b[alpn], b[alpn+1] = ref[0], ref[1]
		return spec, string(b)
	}
	return spec, spec
}

// append2Digits appends n (0-99) in two decimal digits.
func append2Digits(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

func ja4Version(ch *ClientHello) string {
	v := ch.LegacyVersion
	var vbuf [16]uint16
	if vs := appendNoGrease(vbuf[:0], ch.Versions); len(vs) > 0 {
		v = slices.Max(vs)
	}
	switch v {
	case 0x0304:
		return "13"
	case 0x0303:
		return "12"
	case 0x0302:
		return "11"
	case 0x0301:
		return "10"
	case 0x0300:
		return "s3"
	case 0x0002:
		return "s2"
	case 0xfeff:
		return "d1"
	case 0xfefd:
		return "d2"
	case 0xfefc:
		return "d3"
	}
	return "00"
}

func ja4ALPN(alpn []string) [2]byte {
	if len(alpn) == 0 || alpn[0] == "" {
		return [2]byte{'0', '0'}
	}
	p := alpn[0]
	f, l := p[0], p[len(p)-1]
	if isAlnum(f) && isAlnum(l) {
		return [2]byte{f, l}
	}
	// the first and last characters of the value's hex
	const digits = "0123456789abcdef"
	return [2]byte{digits[f>>4], digits[l&0xf]}
}

// ja4ALPNReference is the ALPN part as FoxIO's reference code computes it
// (see JA4Forms).
func ja4ALPNReference(alpn []string) [2]byte {
	if len(alpn) == 0 || alpn[0] == "" {
		return [2]byte{'0', '0'}
	}
	p := alpn[0]
	ch := func(c byte) byte {
		if c > 0x7f {
			return '9'
		}
		return c
	}
	if len(p) == 1 {
		return [2]byte{ch(p[0]), '0'}
	}
	return [2]byte{ch(p[0]), ch(p[len(p)-1])}
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// appendNoGrease appends the values that are not GREASE.
func appendNoGrease(out, vs []uint16) []uint16 {
	for _, v := range vs {
		if !IsGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

// appendHexList appends the values in four lowercase hex digits each,
// joined by ','.
func appendHexList(b []byte, vs []uint16) []byte {
	const digits = "0123456789abcdef"
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, digits[v>>12], digits[v>>8&0xf], digits[v>>4&0xf], digits[v&0xf])
	}
	return b
}

// appendHash12 appends the first 12 hex digits of the SHA-256 of in.
func appendHash12(b, in []byte) []byte {
	h := sha256.Sum256(in)
	return hex.AppendEncode(b, h[:6])
}
