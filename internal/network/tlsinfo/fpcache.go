package tlsinfo

import "encoding/binary"

// DefaultCacheEntries is a FingerprintCache's bound when Max is 0 (about
// 300 KiB of keys and fingerprints).
const DefaultCacheEntries = 1024

// Fingerprints are a ClientHello's JA3 and its two JA4 forms (see
// JA4Forms; JA4Reference equals JA4 for most hellos).
type Fingerprints struct {
	JA3, JA4, JA4Reference string
}

// FingerprintCache memoises Fingerprints. The connections of one client
// stack send hellos that differ only in what neither fingerprint reads (the
// random, the session ID, key shares, the SNI's value, GREASE values), and
// JA3 and JA4 (decimal and hex strings, MD5, sorting, SHA-256) cost several
// times the parse. The key is every input the fingerprints read, GREASE
// values left out as they leave them out: a hit gives what computing would
// (TestFingerprintCache). At most Max entries are kept: when full, the
// cache starts again empty (a client that permutes its extensions, as
// Chrome does, fills it with fingerprints seen once). Not safe for
// concurrent use.
type FingerprintCache struct {
	Max int // entries kept (0: DefaultCacheEntries)
	m   map[string]Fingerprints
	key []byte
}

// Get returns the fingerprints of ch sent over transport ('t' TCP, 'q'
// QUIC, 'd' DTLS), computed or remembered.
func (c *FingerprintCache) Get(ch *ClientHello, transport byte) Fingerprints {
	c.key = fingerprintKey(c.key[:0], ch, transport)
	if fp, ok := c.m[string(c.key)]; ok {
		return fp
	}
	fp := Fingerprints{JA3: JA3(ch)}
	fp.JA4, fp.JA4Reference = JA4Forms(ch, transport)
	limit := c.Max
	if limit <= 0 {
		limit = DefaultCacheEntries
	}
	switch {
	case c.m == nil:
		c.m = map[string]Fingerprints{}
	case len(c.m) >= limit:
		clear(c.m)
	}
	c.m[string(c.key)] = fp
	return fp
}

// fingerprintKey appends to b what JA3 and JA4Forms read of ch: the
// transport, the legacy version, the versions, ciphers, extensions (in
// order), signature algorithms and groups without GREASE values, whether
// there is an SNI, the first ALPN value and the point formats. Every part
// is length-prefixed, so that different inputs never give one key.
func fingerprintKey(b []byte, ch *ClientHello, transport byte) []byte {
	b = append(b, transport)
	b = binary.BigEndian.AppendUint16(b, ch.LegacyVersion)
	for _, vs := range [...][]uint16{ch.Versions, ch.Ciphers, ch.Extensions, ch.SigAlgs, ch.Groups} {
		b = appendKeyList(b, vs)
	}
	if ch.SNI != "" {
		b = append(b, 1)
	} else {
		b = append(b, 0)
	}
	if len(ch.ALPN) > 0 {
		b = binary.AppendUvarint(b, uint64(len(ch.ALPN[0]))+1)
		b = append(b, ch.ALPN[0]...)
	} else {
		b = append(b, 0)
	}
	b = binary.AppendUvarint(b, uint64(len(ch.PointFormats)))
	return append(b, ch.PointFormats...)
}

// appendKeyList appends the values of vs that are not GREASE, after their
// number.
func appendKeyList(b []byte, vs []uint16) []byte {
	n := 0
	for _, v := range vs {
		if !IsGREASE(v) {
			n++
		}
	}
	b = binary.AppendUvarint(b, uint64(n))
	for _, v := range vs {
		if !IsGREASE(v) {
			b = binary.BigEndian.AppendUint16(b, v)
		}
	}
	return b
}

// Len is the number of entries kept.
func (c *FingerprintCache) Len() int { return len(c.m) }
