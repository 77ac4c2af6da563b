// Package detid owns the deterministic identifiers of spyscan's exports:
// name-based UUIDs (RFC 9562 version 5) derived from content, so the same
// report always gives the same STIX and MISP ids.
package detid

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"strings"
)

// UUID is a 16-byte UUID.
type UUID [16]byte

// Namespaces.
var (
	// STIXSCO is the namespace STIX 2.1 (section 2.9) gives for the ids of
	// cyber-observable objects.
	STIXSCO = MustParse("00abedb4-aa42-466c-9c01-fed23315a9b7")
	// Spyscan is spyscan's own namespace for the objects it creates.
	Spyscan = MustParse("5f0a2c1e-9b7d-5e3a-8c4f-2d6e1a7b9c30")
)

// V5 returns the version-5 UUID of name in namespace ns.
func V5(ns UUID, name string) UUID {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u UUID
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC variant
	return u
}

// Of returns the spyscan-namespace UUID of the parts joined by NUL bytes.
func Of(parts ...string) UUID { return V5(Spyscan, strings.Join(parts, "\x00")) }

// String writes the UUID in its canonical 8-4-4-4-12 form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// Parse reads a canonical UUID.
func Parse(s string) (UUID, error) {
	var u UUID
	h := strings.ReplaceAll(s, "-", "")
	if len(s) != 36 || len(h) != 32 {
		return u, fmt.Errorf("uuid %q: bad length", s)
	}
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, fmt.Errorf("uuid %q: %w", s, err)
	}
	return u, nil
}

// MustParse is Parse for constants.
func MustParse(s string) UUID {
	u, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
