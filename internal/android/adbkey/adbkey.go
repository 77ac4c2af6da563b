// Package adbkey owns ADB public keys as Android writes them ("<base64 key>
// user@host" lines in adb_keys, dumpsys adb and Samsung's framework log):
// reading one, adb's MD5 fingerprint, and the key of the computer that made
// an androidqf acquisition (acquisition.json's adb_host_public_key), so the
// modules that see keys tell the acquiring computer from the others the
// same way.
package adbkey

import (
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"strings"
)

// Key is one ADB public key line.
type Key struct {
	Key         string // the base64 text as written
	User        string // the comment after it ("user@host"), "" when none
	Fingerprint string // adb's MD5 fingerprint ("AA:BB:..."), "" when the key is not base64
}

// Valid reports whether the key decoded (it then has a fingerprint).
func (k Key) Valid() bool { return k.Fingerprint != "" }

// Parse reads one "<base64> [user]" line.
func Parse(line string) Key {
	b64, user, _ := strings.Cut(strings.TrimSpace(line), " ")
	k := Key{Key: b64, User: strings.TrimSpace(user)}
	if raw, err := base64.StdEncoding.DecodeString(b64); err == nil && len(raw) > 0 {
		k.Fingerprint = Fingerprint(raw)
	}
	return k
}

// Fingerprint is adb's MD5 fingerprint of a decoded key ("AA:BB:...",
// upper-case hex pairs).
func Fingerprint(raw []byte) string {
	sum := md5.Sum(raw)
	h := strings.ToUpper(hex.EncodeToString(sum[:]))
	var b strings.Builder
	for i := 0; i < len(h); i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+2])
	}
	return b.String()
}

// Host is the acquiring computer's key, as far as it is known.
type Host struct{ Key, Fingerprint string }

// Known reports whether anything identifies the acquiring computer.
func (h Host) Known() bool { return h.Key != "" || h.Fingerprint != "" }

// Matches reports whether k is the acquiring computer's key.
func (h Host) Matches(k Key) bool {
	return (h.Key != "" && h.Key == k.Key) || (h.Fingerprint != "" && strings.EqualFold(h.Fingerprint, k.Fingerprint))
}

// QFHost reads the acquiring computer's key from an androidqf
// acquisition's acquisition.json (adb_host_public_key); the zero Host when
// the file or the field is absent or unreadable.
func QFHost(fsys fs.FS) Host {
	f, err := fsys.Open("acquisition.json")
	if err != nil {
		return Host{}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return Host{}
	}
	var a struct {
		Key string `json:"adb_host_public_key"`
	}
	if json.Unmarshal(b, &a) != nil || a.Key == "" {
		return Host{}
	}
	k := Parse(a.Key)
	return Host{Key: k.Key, Fingerprint: k.Fingerprint}
}
