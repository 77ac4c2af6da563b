package iosmod

import (
	"fmt"
	"math"
	"reflect"
	"testing"
)

func TestLinksCases(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"see https://a.com/x, then http://b.org.", []string{"https://a.com/x", "http://b.org"}},
		{"(www.c.net/p) and HTTPS://D.COM", []string{"www.c.net/p", "HTTPS://D.COM"}},
		{"dup https://a.com https://a.com", []string{"https://a.com"}},
		{"none here a.com, xwww.d.com, shttp://e.com", nil},
		{"wWw.f.org\thttp://g.org/'q'", []string{"wWw.f.org", "http://g.org/"}},
		{"é https://h.org", []string{"https://h.org"}},
		{"ends with http", nil},
	} {
		if got := Links(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %q want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzLinksBounds(f *testing.F) {
	f.Add("see https://a.com/x, www.b.org")
	f.Add("hhttp://")
	f.Fuzz(func(t *testing.T, s string) {
		for _, l := range Links(s) {
			if l == "" || len(l) > len(s) {
				t.Fatalf("bad link %q from %q", l, s)
			}
		}
	})
}

func FuzzDecodePlist(f *testing.F) {
	f.Add([]byte("bplist00\xd0\x08\x00\x00\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09"))
	f.Add([]byte(`<?xml version="1.0"?><plist><dict><key>a</key><array><integer>1</integer></array></dict></plist>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := DecodePlist(b)
		if err == nil {
			_ = PlistTime(Dict(v)["a"])
		}
	})
}

// TestWholeAsSprintf: Whole writes what fmt.Sprintf("%.0f") writes.
func TestWholeAsSprintf(t *testing.T) {
	for _, v := range []float64{0, math.Copysign(0, -1), 0.5, 1.5, 2.5, -0.5, -2.5, 1e3, 123456789.49, 1e21, 1e300, -7.77,
		math.MaxFloat64, math.SmallestNonzeroFloat64, math.Inf(1), math.Inf(-1), math.NaN()} {
		if got, want := Whole(v), fmt.Sprintf("%.0f", v); got != want {
			t.Errorf("Whole(%v) = %q, fmt %q", v, got, want)
		}
	}
}
