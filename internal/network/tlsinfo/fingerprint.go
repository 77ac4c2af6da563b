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
	a.WriteString(ja4ALPN(ch.ALPN))

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
	return a.String() + "_" + b + "_" + c
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
