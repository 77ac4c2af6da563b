package backup

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"fmt"
	"io"
)

var zeroIV = make([]byte, aes.BlockSize)

// decryptAll decrypts Manifest.db: AES-256-CBC, zero IV, no padding. A
// trailing PKCS7 block is dropped when what remains is whole SQLite pages.
func decryptAll(key, enc []byte) ([]byte, error) {
	if len(enc)%aes.BlockSize != 0 {
		return nil, fmt.Errorf("encrypted size %d is not a multiple of 16", len(enc))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(enc))
	cipher.NewCBCDecrypter(block, zeroIV).CryptBlocks(out, enc)
	if n, ok := unpad(out); ok && n%512 == 0 && n != len(out) {
		out = out[:n]
	}
	return out, nil
}

// unpad returns the length without PKCS7 padding, if the padding is valid.
func unpad(b []byte) (int, bool) {
	if len(b) == 0 || len(b)%aes.BlockSize != 0 {
		return 0, false
	}
	p := int(b[len(b)-1])
	if p == 0 || p > aes.BlockSize {
		return 0, false
	}
	for _, c := range b[len(b)-p:] {
		if int(c) != p {
			return 0, false
		}
	}
	return len(b) - p, true
}

var errPadding = errors.New("bad PKCS7 padding after decryption (wrong key or damaged file)")

// cbcReader decrypts an AES-256-CBC (zero IV) file as it is read, checks
// its PKCS7 padding at the end and delivers at most size bytes.
type cbcReader struct {
	src      io.Reader
	mode     cipher.BlockMode
	remainCT int64 // ciphertext bytes not yet read
	remainPT int64 // plaintext bytes still to deliver (the record's Size)
	buf      []byte
	out      []byte
	err      error
}

const chunk = 256 << 10

func newCBCReader(src io.Reader, key []byte, ctSize, size int64) (*cbcReader, error) {
	if ctSize%aes.BlockSize != 0 {
		return nil, fmt.Errorf("encrypted size %d is not a multiple of 16", ctSize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &cbcReader{src: src, mode: cipher.NewCBCDecrypter(block, zeroIV), remainCT: ctSize, remainPT: size}, nil
}

func (r *cbcReader) Read(p []byte) (int, error) {
	for len(r.out) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.fill()
	}
	n := copy(p, r.out)
	r.out = r.out[n:]
	return n, nil
}

func (r *cbcReader) fill() {
	if r.remainCT == 0 {
		r.err = io.EOF
		return
	}
	n := int64(chunk)
	if r.remainCT < n {
		n = r.remainCT
	}
	if cap(r.buf) < int(n) {
		r.buf = make([]byte, n)
	}
	b := r.buf[:n]
	if _, err := io.ReadFull(r.src, b); err != nil {
		r.err = fmt.Errorf("reading encrypted file: %w", err)
		return
	}
	r.remainCT -= n
	r.mode.CryptBlocks(b, b)
	if r.remainCT == 0 {
		m, ok := unpad(b[len(b)-aes.BlockSize:])
		if !ok {
			r.err = errPadding
			return
		}
		b = b[:len(b)-aes.BlockSize+m]
	}
	if int64(len(b)) > r.remainPT {
		b = b[:r.remainPT]
	}
	r.remainPT -= int64(len(b))
	r.out = b
}
