package tlsinfo_test

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

// TestFingerprintCache: hellos drawn from few choices per field (so that
// keys repeat, and hellos that differ only in GREASE values, the SNI's
// value or ALPN values after the first meet the same entry) get from one
// cache exactly what JA3 and JA4Forms compute; the cache is used, and past
// its bound it still answers right.
func TestFingerprintCache(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	grease := func(vs []uint16) []uint16 {
		out := slices.Clone(vs)
		for i := r.Intn(3); i > 0; i-- {
			g := uint16(r.Intn(16))*0x1010 + 0x0a0a
			at := r.Intn(len(out) + 1)
			out = slices.Insert(out, at, g)
		}
		return out
	}
	lists := [][]uint16{nil, {}, {0x1301}, {0x1301, 0x1302}, {0x1302, 0x1301}, {0, 16, 43}, {16, 0, 43}, {0x0303}, {0x0304, 0x0303}}
	pick := func() []uint16 { return grease(lists[r.Intn(len(lists))]) }
	for _, max := range []int{0, 5} {
		c := &tlsinfo.FingerprintCache{Max: max}
		for i := 0; i < 20000; i++ {
			ch := &tlsinfo.ClientHello{LegacyVersion: []uint16{0x0303, 0x0301, 0xfefd}[r.Intn(3)],
				Versions: pick(), Ciphers: pick(), Extensions: pick(), SigAlgs: pick(), Groups: pick()}
			ch.SNI = []string{"", "a.example", "b.example"}[r.Intn(3)]
			for j := r.Intn(3); j > 0; j-- {
				ch.ALPN = append(ch.ALPN, []string{"", "h2", "http/1.1", "\xba\xad", "x"}[r.Intn(5)])
			}
			ch.PointFormats = [][]uint8{nil, {0}, {0, 1}, {1, 0}}[r.Intn(4)]
			transport := []byte{'t', 'q', 'd'}[r.Intn(3)]
			want := tlsinfo.Fingerprints{JA3: tlsinfo.JA3(ch)}
			want.JA4, want.JA4Reference = tlsinfo.JA4Forms(ch, transport)
			if got := c.Get(ch, transport); got != want {
				t.Fatalf("max %d, hello %d %+v over %c: cache %+v, computed %+v", max, i, ch, transport, got, want)
			}
		}
	}
}

// TestFingerprintCacheHits: hellos that differ only in what the
// fingerprints do not read share one entry.
func TestFingerprintCacheHits(t *testing.T) {
	c := &tlsinfo.FingerprintCache{}
	a := &tlsinfo.ClientHello{LegacyVersion: 0x0303, Ciphers: []uint16{0x1301, 0x1302}, Extensions: []uint16{0, 16, 43},
		Versions: []uint16{0x0304}, SNI: "a.example", ALPN: []string{"h2", "http/1.1"}}
	b := &tlsinfo.ClientHello{LegacyVersion: 0x0303, Ciphers: []uint16{0x2a2a, 0x1301, 0x1302}, Extensions: []uint16{0xfafa, 0, 16, 43},
		Versions: []uint16{0x0304, 0x3a3a}, SNI: "b.example", ALPN: []string{"h2"}}
	fa, fb := c.Get(a, 't'), c.Get(b, 't')
	if fa != fb {
		t.Fatalf("%+v and %+v differ", fa, fb)
	}
	if want := tlsinfo.JA3(b); fb.JA3 != want {
		t.Fatalf("JA3 %s, computed %s", fb.JA3, want)
	}
	if n := c.Len(); n != 1 {
		t.Fatalf("%d entries, want 1", n)
	}
}

// BenchmarkFingerprintCacheHit is the fingerprint work of the capture pass
// for a hello seen before (BenchmarkFingerprints computes it).
func BenchmarkFingerprintCacheHit(b *testing.B) {
	ch, err := tlsinfo.ParseClientHello(netgenHello())
	if err != nil {
		b.Fatal(err)
	}
	var c tlsinfo.FingerprintCache
	c.Get(ch, 't')
	b.ReportAllocs()
	for b.Loop() {
		_ = c.Get(ch, 't')
	}
}
