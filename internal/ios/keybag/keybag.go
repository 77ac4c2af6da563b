// Package keybag owns iOS backup encryption keys: parsing the BackupKeyBag
// TLV from Manifest.plist, deriving the password key (PBKDF2-SHA256 over
// DPSL/DPIC, then PBKDF2-SHA1 over SALT/ITER), unwrapping the class keys
// (RFC 3394 AES key wrap) and unwrapping per-file and Manifest keys. It can
// also build a keybag, for fixture generators.
package keybag

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrWrongPassword means the password key failed RFC 3394's integrity check.
var ErrWrongPassword = errors.New("wrong password")

// ErrMalformed means the keybag could not be parsed.
var ErrMalformed = errors.New("malformed keybag")

const (
	wrapPasscode = 2 // class key wrapped with the password key
	maxIter      = 100_000_000
	maxTLVs      = 4096
)

// ClassKey is one protection class entry of a keybag.
type ClassKey struct {
	Class uint32
	UUID  []byte
	Wrap  uint32
	Type  uint32 // KTYP
	WPKY  []byte // wrapped key
	Key   []byte // unwrapped key, after Unlock
}

// Keybag is a parsed backup keybag.
type Keybag struct {
	Version uint32
	Type    uint32
	UUID    []byte
	Wrap    uint32
	Salt    []byte // SALT
	Iter    uint32 // ITER (SHA-1 step)
	DPSL    []byte // salt of the SHA-256 step; nil before iOS 10.2
	DPIC    uint32 // iterations of the SHA-256 step
	Classes map[uint32]*ClassKey
	order   []uint32
}

// Parse reads a keybag TLV: 4-byte tag, 4-byte big-endian length, value.
func Parse(data []byte) (*Keybag, error) {
	kb := &Keybag{Classes: map[uint32]*ClassKey{}}
	var cur *ClassKey
	n := 0
	for off := 0; off < len(data); {
		if n++; n > maxTLVs {
			return nil, fmt.Errorf("%w: too many entries", ErrMalformed)
		}
		if len(data)-off < 8 {
			return nil, fmt.Errorf("%w: truncated entry at offset %d", ErrMalformed, off)
		}
		tag := string(data[off : off+4])
		ln := binary.BigEndian.Uint32(data[off+4 : off+8])
		off += 8
		if uint64(ln) > uint64(len(data)-off) {
			return nil, fmt.Errorf("%w: %s length %d past the end", ErrMalformed, tag, ln)
		}
		val := data[off : off+int(ln)]
		off += int(ln)
		num := func() uint32 {
			if len(val) == 4 {
				return binary.BigEndian.Uint32(val)
			}
			return 0
		}
		switch {
		case tag == "UUID" && kb.UUID == nil:
			kb.UUID = clone(val)
		case tag == "UUID":
			if err := kb.addClass(cur); err != nil {
				return nil, err
			}
			cur = &ClassKey{UUID: clone(val)}
		case cur != nil && tag == "CLAS":
			cur.Class = num()
		case cur != nil && tag == "WRAP":
			cur.Wrap = num()
		case cur != nil && tag == "KTYP":
			cur.Type = num()
		case cur != nil && tag == "WPKY":
			cur.WPKY = clone(val)
		case tag == "VERS":
			kb.Version = num()
		case tag == "TYPE":
			kb.Type = num()
		case tag == "WRAP":
			kb.Wrap = num()
		case tag == "SALT":
			kb.Salt = clone(val)
		case tag == "ITER":
			kb.Iter = num()
		case tag == "DPSL":
			kb.DPSL = clone(val)
		case tag == "DPIC":
			kb.DPIC = num()
		}
	}
	if err := kb.addClass(cur); err != nil {
		return nil, err
	}
	if len(kb.Salt) == 0 || kb.Iter == 0 {
		return nil, fmt.Errorf("%w: no SALT/ITER", ErrMalformed)
	}
	if kb.Iter > maxIter || kb.DPIC > maxIter {
		return nil, fmt.Errorf("%w: unreasonable iteration count", ErrMalformed)
	}
	if len(kb.Classes) == 0 {
		return nil, fmt.Errorf("%w: no class keys", ErrMalformed)
	}
	return kb, nil
}

func (kb *Keybag) addClass(c *ClassKey) error {
	if c == nil {
		return nil
	}
	if len(c.WPKY) == 0 {
		return nil // classes without a wrapped key (e.g. public-key classes) are unusable here
	}
	if _, dup := kb.Classes[c.Class]; !dup {
		kb.order = append(kb.order, c.Class)
	}
	kb.Classes[c.Class] = c
	return nil
}

// PasswordKey derives the key that unwraps the class keys.
func (kb *Keybag) PasswordKey(password string) ([]byte, error) {
	secret := []byte(password)
	if len(kb.DPSL) > 0 {
		k, err := pbkdf2.Key(sha256.New, string(secret), kb.DPSL, int(kb.DPIC), 32)
		if err != nil {
			return nil, err
		}
		secret = k
	}
	return pbkdf2.Key(sha1.New, string(secret), kb.Salt, int(kb.Iter), 32)
}

// Unlock derives the password key and unwraps every class key. A wrong
// password gives ErrWrongPassword.
func (kb *Keybag) Unlock(password string) error {
	pk, err := kb.PasswordKey(password)
	if err != nil {
		return err
	}
	return kb.UnlockWithKey(pk)
}

// UnlockWithKey unwraps the class keys with an already derived password key.
func (kb *Keybag) UnlockWithKey(pk []byte) error {
	for _, cls := range kb.order {
		c := kb.Classes[cls]
		if c.Wrap&wrapPasscode == 0 {
			continue
		}
		k, err := Unwrap(pk, c.WPKY)
		if err != nil {
			if errors.Is(err, errIntegrity) {
				return ErrWrongPassword
			}
			return fmt.Errorf("%w: class %d: %w", ErrMalformed, cls, err)
		}
		c.Key = k
	}
	return nil
}

// UnwrapKey unwraps a key blob as stored in Manifest.plist's ManifestKey
// and in file records' EncryptionKey: a 4-byte little-endian protection
// class followed by the RFC 3394 wrapped key.
func (kb *Keybag) UnwrapKey(blob []byte) ([]byte, error) {
	if len(blob) < 4+24 {
		return nil, fmt.Errorf("%w: key blob of %d bytes", ErrMalformed, len(blob))
	}
	return kb.UnwrapClassKey(binary.LittleEndian.Uint32(blob[:4]), blob[4:])
}

// UnwrapClassKey unwraps wrapped with the key of protection class cls.
func (kb *Keybag) UnwrapClassKey(cls uint32, wrapped []byte) ([]byte, error) {
	c := kb.Classes[cls]
	if c == nil || c.Key == nil {
		return nil, fmt.Errorf("%w: no unlocked key for protection class %d", ErrMalformed, cls)
	}
	k, err := Unwrap(c.Key, wrapped)
	if err != nil {
		return nil, fmt.Errorf("protection class %d: %w", cls, err)
	}
	return k, nil
}

func clone(b []byte) []byte { return append([]byte(nil), b...) }
