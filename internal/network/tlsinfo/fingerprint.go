package tlsinfo

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// JA3 returns the JA3 fingerprint (MD5, hex) of a ClientHello: version,
// ciphers, extensions, groups and point formats, GREASE removed.
func JA3(ch *ClientHello) string {
	return fmt.Sprintf("%x", md5.Sum([]byte(JA3String(ch))))
}

// JA3String returns the JA3 string before hashing.
func JA3String(ch *ClientHello) string {
	var sb strings.Builder
	sb.WriteString(strconv.Itoa(int(ch.LegacyVersion)))
	sb.WriteByte(',')
	join16(&sb, ch.Ciphers)
	sb.WriteByte(',')
	join16(&sb, ch.Extensions)
	sb.WriteByte(',')
	join16(&sb, ch.Groups)
	sb.WriteByte(',')
	for i, p := range ch.PointFormats {
		if i > 0 {
			sb.WriteByte('-')
		}
		sb.WriteString(strconv.Itoa(int(p)))
	}
	return sb.String()
}

func join16(sb *strings.Builder, vs []uint16) {
	first := true
	for _, v := range vs {
		if IsGREASE(v) {
			continue
		}
		if !first {
			sb.WriteByte('-')
		}
		first = false
		sb.WriteString(strconv.Itoa(int(v)))
	}
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
	rest := ja4Rest(ch, transport)
	spec = rest.prefix + ja4ALPN(ch.ALPN) + rest.hashes
	reference = rest.prefix + ja4ALPNReference(ch.ALPN) + rest.hashes
	return spec, reference
}

type ja4Parts struct{ prefix, hashes string }

func ja4Rest(ch *ClientHello, transport byte) ja4Parts {
	ciphers := noGrease(ch.Ciphers)
	exts := noGrease(ch.Extensions)
	var a strings.Builder
	a.WriteByte(transport)
	a.WriteString(ja4Version(ch))
	if ch.SNI != "" {
		a.WriteByte('d')
	} else {
		a.WriteByte('i')
	}
	fmt.Fprintf(&a, "%02d%02d", min(len(ciphers), 99), min(len(exts), 99))

	b := "000000000000"
	if len(ciphers) > 0 {
		s := slices.Clone(ciphers)
		slices.Sort(s)
		b = hash12(hexList(s))
	}
	var kept []uint16
	for _, e := range exts {
		if e != 0x0000 && e != 0x0010 {
			kept = append(kept, e)
		}
	}
	c := "000000000000"
	if len(kept) > 0 {
		slices.Sort(kept)
		in := hexList(kept)
		if sa := noGrease(ch.SigAlgs); len(sa) > 0 {
			in += "_" + hexList(sa)
		}
		c = hash12(in)
	}
	return ja4Parts{a.String(), "_" + b + "_" + c}
}

func ja4Version(ch *ClientHello) string {
	v := ch.LegacyVersion
	if vs := noGrease(ch.Versions); len(vs) > 0 {
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

func ja4ALPN(alpn []string) string {
	if len(alpn) == 0 || alpn[0] == "" {
		return "00"
	}
	p := alpn[0]
	f, l := p[0], p[len(p)-1]
	if isAlnum(f) && isAlnum(l) {
		return string([]byte{f, l})
	}
	h := hex.EncodeToString([]byte(p))
	return string([]byte{h[0], h[len(h)-1]})
}

// ja4ALPNReference is the ALPN part as FoxIO's reference code computes it
// (see JA4Forms).
func ja4ALPNReference(alpn []string) string {
	if len(alpn) == 0 || alpn[0] == "" {
		return "00"
	}
	p := alpn[0]
	ch := func(c byte) byte {
		if c > 0x7f {
			return '9'
		}
		return c
	}
	if len(p) == 1 {
		return string([]byte{ch(p[0]), '0'})
	}
	return string([]byte{ch(p[0]), ch(p[len(p)-1])})
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func noGrease(vs []uint16) []uint16 {
	out := make([]uint16, 0, len(vs))
	for _, v := range vs {
		if !IsGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

func hexList(vs []uint16) string {
	var sb strings.Builder
	for i, v := range vs {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, "%04x", v)
	}
	return sb.String()
}

func hash12(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:6])
}
