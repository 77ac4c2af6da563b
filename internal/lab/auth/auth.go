// Package auth owns the lab's secrets: password hashes (argon2id from
// golang.org/x/crypto, in the PHC string format, parameters stored with
// each hash so they can be raised later), random session and CSRF tokens,
// one-time passwords, and the rate limiting of login attempts.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultParams follow RFC 9106's second recommended option (64 MiB,
// 3 passes); with 2 threads one hash takes about 0.1 s of a core here.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2}

const (
	saltLen = 16
	keyLen  = 32
)

// ErrBadHash: a stored hash this package cannot read.
var ErrBadHash = errors.New("unreadable password hash")

// Hash hashes a password with p, returning
// $argon2id$v=19$m=...,t=...,p=...$salt$key (unpadded base64).
func Hash(password string, p Params) (string, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether password matches the encoded hash, comparing in
// constant time.
func Verify(password, encoded string) (bool, error) {
	p, salt, key, err := decode(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// maxMemory bounds the memory a stored hash may ask for (a hash from a
// tampered database must not exhaust the server).
const maxMemory = 1 << 20 // KiB: 1 GiB

func decode(encoded string) (Params, []byte, []byte, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return Params{}, nil, nil, ErrBadHash
	}
	var v int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return Params{}, nil, nil, fmt.Errorf("%w: version %q", ErrBadHash, parts[2])
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: parameters %q", ErrBadHash, parts[3])
	}
	if p.Memory < 8 || p.Memory > maxMemory || p.Time < 1 || p.Time > 64 || p.Threads < 1 {
		return Params{}, nil, nil, fmt.Errorf("%w: parameters out of range %q", ErrBadHash, parts[3])
	}
	b64 := base64.RawStdEncoding
	salt, err := b64.DecodeString(parts[4])
	if err != nil || len(salt) < 8 {
		return Params{}, nil, nil, fmt.Errorf("%w: salt", ErrBadHash)
	}
	key, err := b64.DecodeString(parts[5])
	if err != nil || len(key) < 16 || len(key) > 64 {
		return Params{}, nil, nil, fmt.Errorf("%w: key", ErrBadHash)
	}
	return p, salt, key, nil
}

// Token returns a random 256-bit token, URL-safe.
func Token() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// otpAlphabet has no look-alike characters (0/O, 1/l/I).
const otpAlphabet = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXYZ234679"

// OneTimePassword returns a random password of 20 characters from an
// alphabet without look-alikes (about 113 bits), to print once.
func OneTimePassword() string {
	var sb strings.Builder
	b := make([]byte, 1)
	for sb.Len() < 20 {
		if _, err := rand.Read(b); err != nil {
			panic(err)
		}
		// rejection sampling keeps the characters uniform
		if int(b[0]) >= 256-256%len(otpAlphabet) {
			continue
		}
		sb.WriteByte(otpAlphabet[int(b[0])%len(otpAlphabet)])
	}
	return sb.String()
}

// PasswordProblem says why a new password is refused ("" when fine): at
// least 12 characters, and not the user's name.
func PasswordProblem(user, password string) string {
	switch {
	case len([]rune(password)) < 12:
		return "too_short"
	case len(password) > 1024:
		return "too_long"
	case strings.EqualFold(strings.TrimSpace(password), user):
		return "is_name"
	}
	return ""
}
