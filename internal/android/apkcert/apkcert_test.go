package apkcert_test

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/spyscan/spyscan/internal/android/apkcert"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

func TestRead(t *testing.T) {
	want := sha1.Sum(androidgen.Certificate("com.example.signer"))
	for _, scheme := range []string{"v1", "v2", "v3"} {
		apk := androidgen.APK("com.example.signer", scheme)
		c, err := apkcert.Read(bytes.NewReader(apk), int64(len(apk)))
		if err != nil {
			t.Fatalf("%s: %v", scheme, err)
		}
		if c.Sha1 != hex.EncodeToString(want[:]) || c.Scheme != scheme || c.Subject != "CN=com.example.signer,O=com.example.signer" {
			t.Errorf("%s: %+v", scheme, c)
		}
	}
}

func TestUnsigned(t *testing.T) {
	z := androidgen.ZipBytes([]androidgen.File{{Path: "a", Data: []byte("b")}}, false)
	for _, in := range [][]byte{z, []byte("not a zip"), nil} {
		if _, err := apkcert.Read(bytes.NewReader(in), int64(len(in))); err == nil {
			t.Errorf("%q: no error", in)
		}
	}
	if _, err := apkcert.Read(bytes.NewReader(z), int64(len(z))); !errors.Is(err, apkcert.ErrNoSignature) {
		t.Errorf("got %v", err)
	}
}

func FuzzRead(f *testing.F) {
	for _, s := range []string{"v1", "v2", "v3"} {
		f.Add(androidgen.APK("x", s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = apkcert.Read(bytes.NewReader(b), int64(len(b)))
	})
}
