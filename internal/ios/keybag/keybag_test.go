package keybag

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"testing"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

// RFC 3394 section 4 test vectors.
func TestRFC3394(t *testing.T) {
	tests := []struct{ name, kek, key, wrapped string }{
		{"4.1 128-bit KEK 128-bit key", "000102030405060708090A0B0C0D0E0F", "00112233445566778899AABBCCDDEEFF",
			"1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"},
		{"4.2 192 KEK 128 key", "000102030405060708090A0B0C0D0E0F1011121314151617", "00112233445566778899AABBCCDDEEFF",
			"96778B25AE6CA435F92B5B97C050AED2468AB8A17AD84E5D"},
		{"4.3 256 KEK 128 key", "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "00112233445566778899AABBCCDDEEFF",
			"64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"},
		{"4.4 192 KEK 192 key", "000102030405060708090A0B0C0D0E0F1011121314151617", "00112233445566778899AABBCCDDEEFF0001020304050607",
			"031D33264E15D33268F24EC260743EDCE1C6C7DDEE725A936BA814915C6762D2"},
		{"4.5 256 KEK 192 key", "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "00112233445566778899AABBCCDDEEFF0001020304050607",
			"A8F9BC1612C68B3FF6E6F4FBE30E71E4769C8B80A32CB8958CD5D17D6B254DA1"},
		{"4.6 256 KEK 256 key", "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F", "00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F",
			"28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Unwrap(unhex(tt.kek), unhex(tt.wrapped))
			if err != nil || !bytes.Equal(got, unhex(tt.key)) {
				t.Fatalf("Unwrap = %x, %v; want %s", got, err, tt.key)
			}
			w, err := Wrap(unhex(tt.kek), unhex(tt.key))
			if err != nil || !bytes.Equal(w, unhex(tt.wrapped)) {
				t.Fatalf("Wrap = %x, %v; want %s", w, err, tt.wrapped)
			}
			bad := unhex(tt.wrapped)
			bad[len(bad)-1] ^= 1
			if _, err := Unwrap(unhex(tt.kek), bad); !errors.Is(err, errIntegrity) {
				t.Errorf("tampered: err %v", err)
			}
		})
	}
}

func build(t testing.TB, dpsl []byte) ([]byte, *Keybag) {
	raw, kb, err := Build(BuildSpec{Password: "correct horse", Salt: bytes.Repeat([]byte{7}, 20), Iter: 3,
		DPSL: dpsl, DPIC: 5, Classes: []uint32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
		Rand: rand.NewChaCha8([32]byte{1})})
	if err != nil {
		t.Fatal(err)
	}
	return raw, kb
}

func TestParseUnlock(t *testing.T) {
	for _, dpsl := range [][]byte{bytes.Repeat([]byte{9}, 20), nil} {
		raw, orig := build(t, dpsl)
		kb, err := Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if len(kb.Classes) != 11 || kb.Iter != 3 || !bytes.Equal(kb.DPSL, dpsl) {
			t.Fatalf("parsed %+v", kb)
		}
		if err := kb.Unlock("wrong"); !errors.Is(err, ErrWrongPassword) {
			t.Fatalf("wrong password: %v", err)
		}
		if err := kb.Unlock("correct horse"); err != nil {
			t.Fatal(err)
		}
		for c, ck := range orig.Classes {
			if !bytes.Equal(kb.Classes[c].Key, ck.Key) {
				t.Errorf("class %d key differs", c)
			}
		}
		fileKey := bytes.Repeat([]byte{0x42}, 32)
		blob, err := orig.WrapKey(3, fileKey)
		if err != nil {
			t.Fatal(err)
		}
		got, err := kb.UnwrapKey(blob)
		if err != nil || !bytes.Equal(got, fileKey) {
			t.Fatalf("UnwrapKey = %x, %v", got, err)
		}
		if _, err := kb.UnwrapKey(blob[:10]); err == nil {
			t.Error("short blob accepted")
		}
	}
}

// The two-step derivation must differ from the SHA-1-only one.
func TestTwoStep(t *testing.T) {
	_, a := build(t, []byte("dpsl-salt"))
	_, b := build(t, nil)
	ka, _ := a.PasswordKey("pw")
	kb, _ := b.PasswordKey("pw")
	if bytes.Equal(ka, kb) || len(ka) != 32 {
		t.Fatal("DPSL step not applied")
	}
}

func TestParseMalformed(t *testing.T) {
	raw, _ := build(t, nil)
	for _, cut := range []int{0, 3, 9, 30, len(raw) - 1} {
		if _, err := Parse(raw[:cut]); err == nil {
			t.Errorf("cut at %d accepted", cut)
		}
	}
	huge := append([]byte("SALT"), 0xff, 0xff, 0xff, 0xff)
	if _, err := Parse(huge); !errors.Is(err, ErrMalformed) {
		t.Errorf("huge length: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	raw, _ := build(f, []byte("x"))
	f.Add(raw)
	f.Add([]byte("VERS\x00\x00\x00\x04\x00\x00\x00\x04"))
	f.Fuzz(func(t *testing.T, data []byte) {
		kb, err := Parse(data)
		if err != nil {
			return
		}
		if kb.Iter > 1000 || kb.DPIC > 1000 {
			return // keep fuzzing fast
		}
		_ = kb.Unlock("pw")
		_, _ = kb.UnwrapKey(data)
	})
}
