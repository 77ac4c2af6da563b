package androidgen

import (
	"bytes"
	"compress/zlib"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/spyscan/spyscan/internal/android/backupab"
)

// BackupOptions says how to write a backup.ab.
type BackupOptions struct {
	Version    int    // 5 when 0
	Compressed bool   // zlib the tar
	Password   string // encrypt (AES-256) when not empty
	Rounds     int    // PBKDF2 rounds; 10000 (Android's) when 0
	Seed       string // derives salts, IVs and the master key
}

// Backup returns a backup.ab holding files.
func Backup(files []File, o BackupOptions) []byte {
	if o.Version == 0 {
		o.Version = 5
	}
	if o.Rounds == 0 {
		o.Rounds = 10000
	}
	payload := TarBytes(files)
	if o.Compressed {
		var z bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&z, zlib.BestSpeed)
		zw.Write(payload)
		zw.Close()
		payload = z.Bytes()
	}
	var out bytes.Buffer
	comp := "0"
	if o.Compressed {
		comp = "1"
	}
	fmt.Fprintf(&out, "%s\n%d\n%s\n", backupab.Magic, o.Version, comp)
	if o.Password == "" {
		out.WriteString("none\n")
		out.Write(payload)
		return out.Bytes()
	}
	userSalt := seeded(o.Seed, "user-salt", 64)
	ckSalt := seeded(o.Seed, "ck-salt", 64)
	userIV := seeded(o.Seed, "user-iv", 16)
	mkIV := seeded(o.Seed, "mk-iv", 16)
	mk := seeded(o.Seed, "master-key", 32)
	pw := o.Password
	if o.Version < 2 {
		pw = string([]byte(pw)) // ASCII test passwords: same bytes either way
	}
	userKey, _ := pbkdf2.Key(sha1.New, pw, userSalt, o.Rounds, 32)
	ck := backupab.Checksum(o.Version, mk, ckSalt, o.Rounds)
	var blob []byte
	for _, f := range [][]byte{mkIV, mk, ck} {
		blob = append(blob, byte(len(f)))
		blob = append(blob, f...)
	}
	encBlob := cbcEncrypt(userKey, userIV, blob)
	up := strings.ToUpper
	fmt.Fprintf(&out, "AES-256\n%s\n%s\n%d\n%s\n%s\n", up(hex.EncodeToString(userSalt)), up(hex.EncodeToString(ckSalt)),
		o.Rounds, up(hex.EncodeToString(userIV)), up(hex.EncodeToString(encBlob)))
	out.Write(cbcEncrypt(mk, mkIV, payload))
	return out.Bytes()
}

func seeded(seed, label string, n int) []byte {
	var out []byte
	for i := 0; len(out) < n; i++ {
		s := sha256.Sum256([]byte(fmt.Sprintf("%s/%s/%d", seed, label, i)))
		out = append(out, s[:]...)
	}
	return out[:n]
}

func cbcEncrypt(key, iv, pt []byte) []byte {
	blk, err := aes.NewCipher(key)
	if err != nil {
		panic(err)
	}
	n := aes.BlockSize - len(pt)%aes.BlockSize
	p := append(append([]byte(nil), pt...), bytes.Repeat([]byte{byte(n)}, n)...)
	out := make([]byte, len(p))
	cipher.NewCBCEncrypter(blk, iv).CryptBlocks(out, p)
	return out
}
