package keybag

import (
	"encoding/binary"
	"fmt"
	"io"
)

// BuildSpec describes a backup keybag to generate (fixtures only).
type BuildSpec struct {
	Password string
	Salt     []byte // 20 bytes on devices
	Iter     uint32
	DPSL     []byte // nil: the pre-iOS 10.2 single SHA-1 step
	DPIC     uint32
	Classes  []uint32  // protection classes to create, e.g. 1..11
	Rand     io.Reader // key material source (deterministic in tests)
}

// Build creates a keybag with random class keys wrapped by the password
// key. It returns the TLV bytes and the keybag with its keys unlocked.
func Build(s BuildSpec) ([]byte, *Keybag, error) {
	kb := &Keybag{Version: 4, Type: 1, Wrap: 0, Salt: s.Salt, Iter: s.Iter, DPSL: s.DPSL, DPIC: s.DPIC,
		Classes: map[uint32]*ClassKey{}}
	kb.UUID = make([]byte, 16)
	if _, err := io.ReadFull(s.Rand, kb.UUID); err != nil {
		return nil, nil, err
	}
	pk, err := kb.PasswordKey(s.Password)
	if err != nil {
		return nil, nil, err
	}
	var out []byte
	u32 := func(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }
	put := func(tag string, val []byte) {
		out = append(out, tag...)
		out = binary.BigEndian.AppendUint32(out, uint32(len(val)))
		out = append(out, val...)
	}
	hmck := make([]byte, 40)
	if _, err := io.ReadFull(s.Rand, hmck); err != nil {
		return nil, nil, err
	}
	put("VERS", u32(kb.Version))
	put("TYPE", u32(kb.Type))
	put("UUID", kb.UUID)
	put("HMCK", hmck)
	put("WRAP", u32(kb.Wrap))
	put("SALT", kb.Salt)
	put("ITER", u32(kb.Iter))
	if len(kb.DPSL) > 0 {
		put("DPWT", u32(1))
		put("DPIC", u32(kb.DPIC))
		put("DPSL", kb.DPSL)
	}
	for _, cls := range s.Classes {
		key := make([]byte, 32)
		uuid := make([]byte, 16)
		if _, err := io.ReadFull(s.Rand, key); err != nil {
			return nil, nil, err
		}
		if _, err := io.ReadFull(s.Rand, uuid); err != nil {
			return nil, nil, err
		}
		wpky, err := Wrap(pk, key)
		if err != nil {
			return nil, nil, fmt.Errorf("class %d: %w", cls, err)
		}
		c := &ClassKey{Class: cls, UUID: uuid, Wrap: wrapPasscode, Type: 0, WPKY: wpky, Key: key}
		put("UUID", uuid)
		put("CLAS", u32(cls))
		put("WRAP", u32(c.Wrap))
		put("KTYP", u32(c.Type))
		put("WPKY", wpky)
		kb.Classes[cls] = c
		kb.order = append(kb.order, cls)
	}
	return out, kb, nil
}

// WrapKey wraps key with class cls's key into the ManifestKey/EncryptionKey
// layout (4-byte little-endian class, then the wrapped key).
func (kb *Keybag) WrapKey(cls uint32, key []byte) ([]byte, error) {
	c := kb.Classes[cls]
	if c == nil || c.Key == nil {
		return nil, fmt.Errorf("no key for protection class %d", cls)
	}
	w, err := Wrap(c.Key, key)
	if err != nil {
		return nil, err
	}
	return append(binary.LittleEndian.AppendUint32(nil, cls), w...), nil
}
