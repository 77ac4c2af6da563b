package auth

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"
)

// cheap keeps the tests fast; the format and the checks are the same.
var cheap = Params{Memory: 64, Time: 1, Threads: 1}

func TestHashVerify(t *testing.T) {
	h, err := Hash("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Errorf("hash %q", h)
	}
	h2, _ := Hash("correct horse battery", cheap)
	if h == h2 {
		t.Error("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		ok, err := Verify(pw, h)
		if err != nil || ok != want {
			t.Errorf("Verify(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
}

// TestKnownAnswer checks the encoding against argon2id computed directly
// (same salt, same parameters), so a hash is readable by other tools.
func TestKnownAnswer(t *testing.T) {
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("password"), salt, 2, 256, 1, 32)
	enc := "$argon2id$v=19$m=256,t=2,p=1$MDEyMzQ1Njc4OWFiY2RlZg$" + strings.TrimRight(b64(key), "=")
	if ok, err := Verify("password", enc); !ok || err != nil {
		t.Errorf("Verify of a hand-built PHC string: %v, %v", ok, err)
	}
}

func TestBadHashes(t *testing.T) {
	good, _ := Hash("x", cheap)
	parts := strings.Split(good, "$")
	for name, h := range map[string]string{
		"empty":       "",
		"bcrypt":      "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ0123",
		"argon2i":     strings.Replace(good, "argon2id", "argon2i", 1),
		"version":     strings.Replace(good, "v=19", "v=16", 1),
		"huge memory": strings.Join(append(append([]string{}, parts[:3]...), "m=4294967295,t=1,p=1", parts[4], parts[5]), "$"),
		"zero time":   strings.Join(append(append([]string{}, parts[:3]...), "m=64,t=0,p=1", parts[4], parts[5]), "$"),
		"bad salt":    strings.Join(append(append([]string{}, parts[:4]...), "!!", parts[5]), "$"),
		"short key":   strings.Join(append(append([]string{}, parts[:5]...), "AAAA"), "$"),
	} {
		if ok, err := Verify("x", h); ok || err == nil {
			t.Errorf("%s: Verify = %v, %v; want an error", name, ok, err)
		}
	}
}

func FuzzVerify(f *testing.F) {
	good, _ := Hash("x", cheap)
	f.Add("x", good)
	f.Add("x", "$argon2id$v=19$m=8,t=1,p=1$AAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, pw, h string) {
		if len(h) > 512 {
			return
		}
		p, _, _, err := decode(h)
		if err == nil && (p.Memory > maxMemory || p.Time > 64) {
			t.Fatalf("accepted parameters %+v", p)
		}
		if err == nil && p.Memory > 4096 {
			return // valid but slow: the bound above is what matters
		}
		Verify(pw, h)
	})
}

func TestTokensAndOTP(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		tok, otp := Token(), OneTimePassword()
		if len(tok) != 43 || seen[tok] || len(otp) != 20 || seen[otp] {
			t.Fatalf("token %q otp %q", tok, otp)
		}
		seen[tok], seen[otp] = true, true
		if strings.ContainsAny(otp, "0O1lI") {
			t.Errorf("one-time password with a look-alike: %q", otp)
		}
	}
}

func TestPasswordProblem(t *testing.T) {
	for pw, want := range map[string]string{"short": "too_short", "Ana-Lopez-1": "too_short", "ana.lopez.lab": "is_name", "lopez-ana-2026": "",
		"  ANA.LOPEZ.LAB ": "is_name", strings.Repeat("a", 2000): "too_long", "ééééééééééééé": ""} {
		if got := PasswordProblem("ana.lopez.lab", pw); got != want {
			t.Errorf("PasswordProblem(%q) = %q, want %q", pw, got, want)
		}
	}
}

func TestLimiter(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	l := NewLimiter(3, time.Minute)
	l.Now = func() time.Time { return now }
	for i := range 3 {
		if ok, _ := l.Allow("ip:a", "user:x"); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
		l.Fail("ip:a", "user:x")
		now = now.Add(10 * time.Second)
	}
	ok, wait := l.Allow("ip:b", "user:x")
	if ok || wait != 30*time.Second {
		t.Errorf("4th attempt on the account from elsewhere: %v, wait %v; want refused for 30s", ok, wait)
	}
	if ok, _ := l.Allow("ip:b", "user:y"); !ok {
		t.Error("another account from another address refused")
	}
	now = now.Add(31 * time.Second)
	if ok, _ := l.Allow("ip:a", "user:x"); !ok {
		t.Error("still refused after the oldest failure left the window")
	}
	l.Reset("user:x")
	if _, ok := l.fail["user:x"]; ok {
		t.Error("Reset kept the key")
	}
	// Memory stays bounded.
	l.MaxKeys = 10
	for i := range 100 {
		l.Fail(strings.Repeat("k", i+1))
	}
	if len(l.fail) > 10 {
		t.Errorf("%d keys tracked, limit 10", len(l.fail))
	}
}

func b64(b []byte) string { return base64.RawStdEncoding.EncodeToString(b) }
