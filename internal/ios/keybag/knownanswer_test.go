package keybag

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"testing"
)

// Known answers published with pyiosbackup (github.com/matan1008/pyiosbackup,
// tests/conftest.py and tests/test_keybag.py at commit
// a7d7ff4f58943f316efe0b92da5ce88316265d63; GPL-3.0;
// only the test vectors are reused, no code): two backup keybags, one of
// iOS 10.2 and later (VERS 5, DPSL/DPIC: PBKDF2-SHA256 with 10,000,000
// rounds, then PBKDF2-SHA1) and one from before (VERS 3: PBKDF2-SHA1 only),
// whose class keys, unlocked with the password "0000", are all 32 zero
// bytes; and a file key blob (class 2) with a 16-byte ciphertext that
// decrypts to "Test data" and its PKCS#7 padding.

// tlv builds a keybag from tag, value pairs.
func tlv(pairs ...any) []byte {
	var b []byte
	for i := 0; i < len(pairs); i += 2 {
		var v []byte
		switch x := pairs[i+1].(type) {
		case uint32:
			v = binary.BigEndian.AppendUint32(nil, x)
		case []byte:
			v = x
		}
		b = append(b, pairs[i].(string)...)
		b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
		b = append(b, v...)
	}
	return b
}

// publishedKeybag rebuilds one of pyiosbackup's keybags: the header, then
// one entry per class (in the published order) with the published wrap
// type and wrapped key.
func publishedKeybag(modern bool) []byte {
	zero := func(n int) []byte { return make([]byte, n) }
	head := []any{"VERS", uint32(3), "TYPE", uint32(1), "UUID", zero(16), "HMCK", zero(40), "WRAP", uint32(0),
		"SALT", zero(20), "ITER", uint32(10000)}
	classes := []uint32{11, 16, 9, 8, 7, 6, 5, 4, 3, 2, 1}
	wpky := unhex("eba582ae3f5731863d270bd875e4c15566bd7847f98536f6674cf6cadc113f8b5bb7a71ebc48b7a5")
	if modern {
		head[1] = uint32(5)
		head = append(head, "DPWT", uint32(1), "DPIC", uint32(10_000_000), "DPSL", zero(20))
		classes = []uint32{11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}
		wpky = unhex("528c9c5171bf8bef1ea397cf29d2a838c90529df02a6ad2f823a1c6f3a5b2040e2a309c520c6a2ab")
	}
	wrap := map[uint32]uint32{11: 3, 16: 3, 10: 3, 9: 3, 5: 3}
	for _, c := range classes {
		w, ok := wrap[c]
		if !ok {
			w = 2
		}
		head = append(head, "UUID", zero(16), "CLAS", c, "WRAP", w, "KTYP", uint32(0), "WPKY", wpky)
	}
	return tlv(head...)
}

func TestPublishedKeybags(t *testing.T) {
	for _, tt := range []struct {
		name   string
		modern bool
		size   int // of the published byte string
	}{{"before iOS 10.2", false, 1336}, {"iOS 10.2 and later", true, 1388}} {
		t.Run(tt.name, func(t *testing.T) {
			raw := publishedKeybag(tt.modern)
			if len(raw) != tt.size {
				t.Fatalf("rebuilt keybag is %d bytes, the published one %d", len(raw), tt.size)
			}
			kb, err := Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			// One derivation (10,000,000 SHA-256 rounds for the modern
			// keybag: about 2 s of CPU); a wrong key is tried without one.
			if err := kb.UnlockWithKey(make([]byte, 32)); err != ErrWrongPassword {
				t.Errorf("wrong key: %v", err)
			}
			if err := kb.Unlock("0000"); err != nil {
				t.Fatal(err)
			}
			if len(kb.Classes) != 11 {
				t.Errorf("%d classes", len(kb.Classes))
			}
			for c, k := range kb.Classes {
				if !bytes.Equal(k.Key, make([]byte, 32)) {
					t.Errorf("class %d key %x, want 32 zero bytes", c, k.Key)
				}
			}
			if !tt.modern {
				return
			}
			fileKey, err := kb.UnwrapKey(unhex("0200000097317494343807e690fd1e431413963dc0e3deb4907fb89fa36ce65126d0ea1301381fb3a2941e2f"))
			if err != nil {
				t.Fatal(err)
			}
			block, err := aes.NewCipher(fileKey)
			if err != nil {
				t.Fatal(err)
			}
			plain := unhex("78b51ca5374c3ad575174288688cda49")
			cipher.NewCBCDecrypter(block, make([]byte, 16)).CryptBlocks(plain, plain)
			if want := append([]byte("Test data"), bytes.Repeat([]byte{7}, 7)...); !bytes.Equal(plain, want) {
				t.Errorf("decrypted %q, want %q", plain, want)
			}
		})
	}
}
