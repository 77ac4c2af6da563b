package hostile

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"howett.net/plist"
)

// SlowKeybag returns Manifest.plist with the DPIC (PBKDF2-SHA256 rounds)
// of its BackupKeyBag set to rounds: a key derivation of many seconds, as
// a hostile or very recent backup can ask for.
func SlowKeybag(manifest []byte, rounds uint32) ([]byte, error) {
	var m map[string]any
	format, err := plist.Unmarshal(manifest, &m)
	if err != nil {
		return nil, err
	}
	kb, ok := m["BackupKeyBag"].([]byte)
	if !ok {
		return nil, fmt.Errorf("no BackupKeyBag")
	}
	kb = bytes.Clone(kb)
	for i := 0; i+8 <= len(kb); {
		tag, n := string(kb[i:i+4]), int(binary.BigEndian.Uint32(kb[i+4:]))
		if tag == "DPIC" && n == 4 {
			binary.BigEndian.PutUint32(kb[i+8:], rounds)
			m["BackupKeyBag"] = kb
			return plist.Marshal(m, format)
		}
		i += 8 + n
	}
	return nil, fmt.Errorf("no DPIC in the keybag")
}
