// Package backupab owns Android's `adb backup` format (backup.ab): the text
// header (magic, version, compression flag, encryption), the key derivation
// and master-key blob of encrypted backups (PBKDF2-SHA1 user key,
// AES-256-CBC master key blob holding IV, key and checksum, the checksum
// taken over Java's "mangled" UTF-8 of the key bytes), and streaming the
// zlib-compressed tar inside. The tar is exposed as a read-only fs.FS built
// in one streaming pass: small files are kept in a bounded in-memory cache,
// larger ones are re-streamed from the source when opened. Nothing is ever
// written to disk.
package backupab

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// Magic is the first line of every backup.ab.
const Magic = "ANDROID BACKUP"

// Bounds on the header of untrusted files.
const (
	maxLine   = 4096
	maxRounds = 10_000_000
	maxHexLen = 1024 // decoded bytes of a salt, IV or blob
)

// ErrNotBackup says the input does not start like a backup.ab.
var ErrNotBackup = errors.New("not an Android backup (backup.ab)")

// Header is the parsed text header.
type Header struct {
	Version    int
	Compressed bool
	Encryption string // "none" or "AES-256"
	// Encrypted backups only.
	UserSalt, CheckSalt []byte
	Rounds              int
	UserIV              []byte
	MasterKeyBlob       []byte
}

// Encrypted reports whether the payload is encrypted.
func (h *Header) Encrypted() bool { return h.Encryption != "none" }

// ReadHeader reads the header lines from br, leaving br at the payload.
func ReadHeader(br *bufio.Reader) (*Header, error) {
	magic, err := readLine(br)
	if err != nil || magic != Magic {
		return nil, ErrNotBackup
	}
	h := &Header{}
	v, err := readLine(br)
	if err != nil {
		return nil, err
	}
	if h.Version, err = strconv.Atoi(v); err != nil || h.Version < 1 || h.Version > 99 {
		return nil, fmt.Errorf("%w: bad version %q", acquisition.ErrCorrupt, clip(v))
	}
	c, err := readLine(br)
	if err != nil {
		return nil, err
	}
	switch c {
	case "0":
	case "1":
		h.Compressed = true
	default:
		return nil, fmt.Errorf("%w: bad compression flag %q", acquisition.ErrCorrupt, clip(c))
	}
	if h.Encryption, err = readLine(br); err != nil {
		return nil, err
	}
	switch h.Encryption {
	case "none":
		return h, nil
	case "AES-256":
	default:
		return nil, fmt.Errorf("%w: unknown encryption %q", acquisition.ErrCorrupt, clip(h.Encryption))
	}
	if h.UserSalt, err = hexLine(br, "user salt"); err != nil {
		return nil, err
	}
	if h.CheckSalt, err = hexLine(br, "checksum salt"); err != nil {
		return nil, err
	}
	r, err := readLine(br)
	if err != nil {
		return nil, err
	}
	if h.Rounds, err = strconv.Atoi(r); err != nil || h.Rounds < 1 || h.Rounds > maxRounds {
		return nil, fmt.Errorf("%w: bad PBKDF2 rounds %q", acquisition.ErrCorrupt, clip(r))
	}
	if h.UserIV, err = hexLine(br, "user key IV"); err != nil {
		return nil, err
	}
	if len(h.UserIV) != aes.BlockSize {
		return nil, fmt.Errorf("%w: user key IV of %d bytes", acquisition.ErrCorrupt, len(h.UserIV))
	}
	if h.MasterKeyBlob, err = hexLine(br, "master key blob"); err != nil {
		return nil, err
	}
	if len(h.MasterKeyBlob) == 0 || len(h.MasterKeyBlob)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("%w: master key blob of %d bytes", acquisition.ErrCorrupt, len(h.MasterKeyBlob))
	}
	return h, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}

func readLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		c, err := br.ReadByte()
		if err != nil {
			return "", fmt.Errorf("%w: header cut short", acquisition.ErrCorrupt)
		}
		if c == '\n' {
			return strings.TrimSuffix(string(b), "\r"), nil
		}
		if len(b) >= maxLine {
			return "", fmt.Errorf("%w: header line too long", acquisition.ErrCorrupt)
		}
		b = append(b, c)
	}
}

func hexLine(br *bufio.Reader, what string) ([]byte, error) {
	l, err := readLine(br)
	if err != nil {
		return nil, err
	}
	if len(l) > 2*maxHexLen {
		return nil, fmt.Errorf("%w: %s too long", acquisition.ErrCorrupt, what)
	}
	b, err := hex.DecodeString(l)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not hex", acquisition.ErrCorrupt, what)
	}
	return b, nil
}

// Keys is what decrypting the payload needs.
type Keys struct {
	MasterKey, IV []byte
}

// Unlock derives the user key from password, opens the master key blob and
// checks its checksum. A wrong password is acquisition.ErrWrongPassword.
func (h *Header) Unlock(password string) (*Keys, error) {
	user, err := pbkdf2.Key(sha1.New, passwordBytes(h.Version, password), h.UserSalt, h.Rounds, 32)
	if err != nil {
		return nil, err
	}
	blob, err := cbcDecrypt(user, h.UserIV, h.MasterKeyBlob)
	if err != nil {
		return nil, acquisition.ErrWrongPassword
	}
	iv, rest, ok := lv(blob)
	mk, rest2, ok2 := lv(rest)
	ck, _, ok3 := lv(rest2)
	if !ok || !ok2 || !ok3 || len(iv) != aes.BlockSize || len(mk) != 32 {
		return nil, acquisition.ErrWrongPassword
	}
	want := Checksum(h.Version, mk, h.CheckSalt, h.Rounds)
	if subtle.ConstantTimeCompare(want, ck) != 1 {
		return nil, acquisition.ErrWrongPassword
	}
	return &Keys{MasterKey: mk, IV: iv}, nil
}

// Checksum is the master-key checksum Android stores in the blob:
// PBKDF2-SHA1 over the key bytes as Java turns them into a password (each
// byte sign-extended to a char, then UTF-8 for version >= 2, low bytes for
// version 1).
func Checksum(version int, mk, salt []byte, rounds int) []byte {
	k, _ := pbkdf2.Key(sha1.New, string(Mangle(version, mk)), salt, rounds, 32)
	return k
}

// Mangle returns the bytes Java's PBKDF2 sees for (char)b of each key byte.
func Mangle(version int, mk []byte) []byte {
	if version < 2 {
		return append([]byte(nil), mk...)
	}
	out := make([]byte, 0, len(mk)*3)
	for _, b := range mk {
		if b < 0x80 {
			out = append(out, b)
			continue
		}
		c := 0xFF00 | uint16(b) // sign extension of a negative Java byte
		out = append(out, 0xE0|byte(c>>12), 0x80|byte(c>>6)&0x3F, 0x80|byte(c)&0x3F)
	}
	return out
}

func passwordBytes(version int, pw string) string {
	if version >= 2 {
		return pw // Java's PBKDF2WithHmacSHA1 hashes the UTF-8 of the chars
	}
	b := make([]byte, 0, len(pw))
	for _, r := range pw { // PBKDF2WithHmacSHA1And8bit: low byte of each char
		b = append(b, byte(r))
	}
	return string(b)
}

// lv splits a one-byte-length-prefixed field.
func lv(b []byte) (field, rest []byte, ok bool) {
	if len(b) < 1 || int(b[0]) > len(b)-1 {
		return nil, nil, false
	}
	n := int(b[0])
	return b[1 : 1+n], b[1+n:], true
}

func cbcDecrypt(key, iv, ct []byte) ([]byte, error) {
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	if len(ct) == 0 || len(ct)%aes.BlockSize != 0 {
		return nil, errors.New("ciphertext not a whole number of blocks")
	}
	pt := make([]byte, len(ct))
	cipher.NewCBCDecrypter(blk, iv).CryptBlocks(pt, ct)
	return unpad(pt)
}

func unpad(pt []byte) ([]byte, error) {
	if len(pt) == 0 {
		return nil, errors.New("empty plaintext")
	}
	n := int(pt[len(pt)-1])
	if n == 0 || n > aes.BlockSize || n > len(pt) || !bytes.Equal(pt[len(pt)-n:], bytes.Repeat([]byte{byte(n)}, n)) {
		return nil, errors.New("bad padding")
	}
	return pt[:len(pt)-n], nil
}

// cbcReader decrypts an AES-CBC stream, holding back the last block to strip
// its PKCS#7 padding at the end.
type cbcReader struct {
	src  io.Reader
	mode cipher.BlockMode
	buf  []byte // decrypted, ready
	held []byte // last decrypted block, not yet released
	in   []byte
	err  error
}

func newCBCReader(src io.Reader, key, iv []byte) (*cbcReader, error) {
	blk, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &cbcReader{src: src, mode: cipher.NewCBCDecrypter(blk, iv), in: make([]byte, 32*1024)}, nil
}

func (c *cbcReader) Read(p []byte) (int, error) {
	for len(c.buf) == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.fill()
	}
	n := copy(p, c.buf)
	c.buf = c.buf[n:]
	return n, nil
}

func (c *cbcReader) fill() {
	n, err := io.ReadFull(c.src, c.in)
	if n%aes.BlockSize != 0 && err != nil {
		c.err = fmt.Errorf("%w: encrypted payload is not a whole number of blocks", acquisition.ErrCorrupt)
		return
	}
	if n > 0 {
		if n%aes.BlockSize != 0 { // only with err == nil, impossible with ReadFull of a multiple
			c.err = fmt.Errorf("%w: short block", acquisition.ErrCorrupt)
			return
		}
		out := make([]byte, n)
		c.mode.CryptBlocks(out, c.in[:n])
		c.buf = append(c.held, out[:n-aes.BlockSize]...)
		c.held = append([]byte(nil), out[n-aes.BlockSize:]...)
	}
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if c.held == nil {
			c.err = fmt.Errorf("%w: empty encrypted payload", acquisition.ErrCorrupt)
			return
		}
		last, perr := unpad(c.held)
		if perr != nil {
			c.err = fmt.Errorf("%w: encrypted payload: %w", acquisition.ErrCorrupt, perr)
			return
		}
		c.buf = append(c.buf, last...)
		c.held = nil
		c.err = io.EOF
	} else if err != nil {
		c.err = err
	}
}
