package tlsinfo_test

import (
	"crypto/md5"
	"crypto/sha256"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

// The fingerprints are built by appending to stack buffers. The functions
// below compute them the plain way (fmt, strings, one allocation per
// piece), straight from the JA3 and JA4 descriptions, as the reference the
// fast code must equal byte for byte.

func refNoGrease(vs []uint16) []uint16 {
	var out []uint16
	for _, v := range vs {
		if !tlsinfo.IsGREASE(v) {
			out = append(out, v)
		}
	}
	return out
}

func refJA3String(ch *tlsinfo.ClientHello) string {
	dec := func(vs []uint16) string {
		var p []string
		for _, v := range refNoGrease(vs) {
			p = append(p, fmt.Sprint(v))
		}
		return strings.Join(p, "-")
	}
	var pf []string
	for _, p := range ch.PointFormats {
		pf = append(pf, fmt.Sprint(p))
	}
	return fmt.Sprintf("%d,%s,%s,%s,%s", ch.LegacyVersion, dec(ch.Ciphers), dec(ch.Extensions), dec(ch.Groups), strings.Join(pf, "-"))
}

func refHexList(vs []uint16) string {
	var p []string
	for _, v := range vs {
		p = append(p, fmt.Sprintf("%04x", v))
	}
	return strings.Join(p, ",")
}

func refHash12(s string) string { return fmt.Sprintf("%x", sha256.Sum256([]byte(s)))[:12] }

// refJA4 returns JA4's parts around the ALPN characters (which
// TestJA4ALPN checks against its own table).
func refJA4(ch *tlsinfo.ClientHello, transport byte) (prefix, hashes string) {
	v := ch.LegacyVersion
	if vs := refNoGrease(ch.Versions); len(vs) > 0 {
		v = slices.Max(vs)
	}
	ver := map[uint16]string{0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3", 0x0002: "s2",
		0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3"}[v]
	if ver == "" {
		ver = "00"
	}
	sni := "i"
	if ch.SNI != "" {
		sni = "d"
	}
	ciphers, exts := refNoGrease(ch.Ciphers), refNoGrease(ch.Extensions)
	prefix = fmt.Sprintf("%c%s%s%02d%02d", transport, ver, sni, min(len(ciphers), 99), min(len(exts), 99))
	b, c := "000000000000", "000000000000"
	if len(ciphers) > 0 {
		s := slices.Clone(ciphers)
		slices.Sort(s)
		b = refHash12(refHexList(s))
	}
	var kept []uint16
	for _, e := range exts {
		if e != 0 && e != 0x10 {
			kept = append(kept, e)
		}
	}
	if len(kept) > 0 {
		slices.Sort(kept)
		in := refHexList(kept)
		if sa := refNoGrease(ch.SigAlgs); len(sa) > 0 {
			in += "_" + refHexList(sa)
		}
		c = refHash12(in)
	}
	return prefix, "_" + b + "_" + c
}

// checkAgainstReference fails when JA3, JA3String or either JA4 form
// differs from the plain computation.
func checkAgainstReference(t *testing.T, ch *tlsinfo.ClientHello) {
	t.Helper()
	s := refJA3String(ch)
	if got := tlsinfo.JA3String(ch); got != s {
		t.Fatalf("JA3String %q, reference %q", got, s)
	}
	if got, want := tlsinfo.JA3(ch), fmt.Sprintf("%x", md5.Sum([]byte(s))); got != want {
		t.Fatalf("JA3 %s, reference %s", got, want)
	}
	prefix, hashes := refJA4(ch, 'q')
	spec, ref := tlsinfo.JA4Forms(ch, 'q')
	for _, got := range []string{spec, ref} {
		if len(got) != len(prefix)+2+len(hashes) || got[:len(prefix)] != prefix || got[len(prefix)+2:] != hashes {
			t.Fatalf("JA4 %s, reference %s??%s", got, prefix, hashes)
		}
	}
	if spec[len(prefix):len(prefix)+2] != tlsinfo.JA4(ch, 'q')[len(prefix):len(prefix)+2] {
		t.Fatalf("JA4 %s and JA4Forms %s disagree", tlsinfo.JA4(ch, 'q'), spec)
	}
}

// TestFingerprintsAsReference: random hellos (GREASE values, lists longer
// than the stack buffers and than 99 entries, empty lists, any ALPN bytes).
func TestFingerprintsAsReference(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	list := func() []uint16 {
		n := []int{0, 1, 3, 20, 63, 64, 65, 150}[r.Intn(8)]
		vs := make([]uint16, n)
		for i := range vs {
			switch r.Intn(4) {
			case 0:
				vs[i] = uint16(r.Intn(16))<<12 | 0x0a0a | uint16(r.Intn(16))<<4 // GREASE when both nibbles match
			case 1:
				vs[i] = uint16(r.Intn(20)) // SNI, ALPN and other small extension numbers
			default:
				vs[i] = uint16(r.Uint32())
			}
		}
		return vs
	}
	for i := 0; i < 3000; i++ {
		ch := &tlsinfo.ClientHello{LegacyVersion: []uint16{0x0303, 0x0301, 0x0002, 0xfefd, 0x1234}[r.Intn(5)],
			Versions: list(), Ciphers: list(), Extensions: list(), SigAlgs: list(), Groups: list()}
		if r.Intn(2) == 0 {
			ch.SNI = "a.example"
		}
		for j := r.Intn(3); j > 0; j-- {
			b := make([]byte, r.Intn(4))
			r.Read(b)
			ch.ALPN = append(ch.ALPN, string(b))
		}
		for j := r.Intn(4); j > 0; j-- {
			ch.PointFormats = append(ch.PointFormats, uint8(r.Intn(256)))
		}
		checkAgainstReference(t, ch)
	}
}

// BenchmarkFingerprints is the per-ClientHello fingerprint work of the
// capture pass: JA3 and both JA4 forms.
func BenchmarkFingerprints(b *testing.B) {
	msg := netgenHello()
	ch, err := tlsinfo.ParseClientHello(msg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = tlsinfo.JA3(ch)
		_, _ = tlsinfo.JA4Forms(ch, 't')
	}
}
