package dnswire_test

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"

	"github.com/spyscan/spyscan/internal/network/dnswire"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func TestParse(t *testing.T) {
	ip := netip.MustParseAddr("198.51.100.8")
	b := netgen.DNSResponse(7, "Static.Shop-Deals.NET", 1, []string{"edge.shop-deals.net", "coazoa.com"}, []netip.Addr{ip})
	var m dnswire.Msg
	if err := dnswire.Parse(b, &m); err != nil {
		t.Fatal(err)
	}
	if !m.Response || m.ID != 7 || len(m.Questions) != 1 || string(m.Questions[0].Name) != "static.shop-deals.net" {
		t.Fatalf("header/question wrong: %+v", m)
	}
	if len(m.Answers) != 3 || string(m.Answers[1].Target) != "coazoa.com" || string(m.Answers[1].Name) != "edge.shop-deals.net" ||
		m.Answers[2].Addr != ip || string(m.Answers[0].Name) != "static.shop-deals.net" {
		t.Fatalf("answers: %+v", m.Answers)
	}
	// reuse of the same Msg does not keep stale data
	if err := dnswire.Parse(netgen.DNSQuery(8, "a.b", 28), &m); err != nil || len(m.Answers) != 0 || string(m.Questions[0].Name) != "a.b" {
		t.Fatalf("reuse: %v %+v", err, m)
	}
}

func TestMalformed(t *testing.T) {
	q := netgen.DNSQuery(1, "example.com", 1)
	loop := append([]byte(nil), q[:12]...)
	loop = append(loop, 0xc0, 12, 0, 1, 0, 1) // name points at itself
	growing := append([]byte(nil), q[:12]...)
	growing = append(growing, 3, 'a', 'b', 'c', 0xc0, 12, 0, 1, 0, 1) // abc.abc.abc...
	lying := append([]byte(nil), q...)
	binary.BigEndian.PutUint16(lying[6:], 5) // claims 5 answers
	long := append([]byte(nil), q[:12]...)
	for i := 0; i < 10; i++ {
		long = append(long, 63)
		long = append(long, make([]byte, 63)...)
	}
	long = append(long, 0, 0, 1, 0, 1)
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"pointer loop", loop, dnswire.ErrLoop},
		{"growing pointer loop", growing, dnswire.ErrLoop},
		{"lying answer count", lying, dnswire.ErrShort},
		{"short header", q[:5], dnswire.ErrShort},
		{"name over 255 bytes", long, dnswire.ErrBadName},
		{"bad label type", append(append([]byte(nil), q[:12]...), 0x80, 1), dnswire.ErrBadName},
	}
	for _, tc := range tests {
		var m dnswire.Msg
		if err := dnswire.Parse(tc.b, &m); !errors.Is(err, tc.want) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.want)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	msg := netgen.DNSResponse(7, "static.shop-deals.net", 1, []string{"edge.shop-deals.net"}, []netip.Addr{netip.MustParseAddr("198.51.100.8")})
	var m dnswire.Msg
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		_ = dnswire.Parse(msg, &m)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(netgen.DNSQuery(1, "example.com", 1))
	f.Add(netgen.DNSResponse(2, "a.example", 1, []string{"b.example"}, []netip.Addr{netip.MustParseAddr("::1")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		var m dnswire.Msg
		_ = dnswire.Parse(b, &m)
		for _, q := range m.Questions {
			if len(q.Name) > 255 {
				t.Fatalf("name of %d bytes", len(q.Name))
			}
		}
	})
}

func TestPlausible(t *testing.T) {
	q := netgen.DNSQuery(7, "www.example.com", 1)
	r := netgen.DNSResponse(7, "www.example.com", 1, []string{"cdn.example.net"}, []netip.Addr{netip.MustParseAddr("198.51.100.1")})
	for _, m := range [][]byte{q, r} {
		if !dnswire.Plausible(m) || !dnswire.PlausibleStart(m) {
			t.Errorf("%x: not plausible", m)
		}
		if dnswire.Plausible(m[:len(m)-1]) || dnswire.Plausible(append(append([]byte(nil), m...), 0)) {
			t.Errorf("%x: cut or padded message plausible", m)
		}
	}
	if !dnswire.PlausibleStart(r[:40]) {
		t.Error("the start of a response is not plausible")
	}
	for _, junk := range []string{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d",
		"SSH-2.0-OpenSSH_9.6\r\n", string(make([]byte, 64))} {
		if dnswire.Plausible([]byte(junk)) || dnswire.PlausibleStart([]byte(junk)) {
			t.Errorf("%q plausible", junk)
		}
	}
}

func FuzzPlausible(f *testing.F) {
	f.Add(netgen.DNSQuery(1, "a.example", 28))
	f.Add(netgen.DNSResponse(2, "b.example", 1, []string{"c.example"}, []netip.Addr{netip.MustParseAddr("192.0.2.1")}))
	f.Fuzz(func(t *testing.T, b []byte) {
		whole := dnswire.Plausible(b)
		if whole && !dnswire.PlausibleStart(b) {
			t.Fatal("a plausible message whose start is not")
		}
		var m dnswire.Msg
		if whole && len(b) >= 12 {
			_ = dnswire.Parse(b, &m)
		}
	})
}
