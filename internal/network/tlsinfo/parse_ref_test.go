package tlsinfo_test

import (
	"encoding/binary"
	"math/rand"
	"reflect"
	"testing"

	"github.com/spyscan/spyscan/internal/network/tlsinfo"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// refParseClientHello reads a ClientHello handshake message the plain way,
// straight from RFC 8446 §4.1.2 and the extensions' RFCs (one append per
// value, every length checked against what is left), as the reference
// ParseClientHello's sized lists must equal. It reports only whether the
// message parses, not why not.
func refParseClientHello(msg []byte) (*tlsinfo.ClientHello, bool) {
	// vec cuts a length-prefixed vector of lenBytes (1 or 2) from b.
	vec := func(b []byte, lenBytes int) (v, rest []byte, ok bool) {
		if len(b) < lenBytes {
			return nil, nil, false
		}
		n := int(b[0])
		if lenBytes == 2 {
			n = int(binary.BigEndian.Uint16(b))
		}
		if len(b) < lenBytes+n {
			return nil, nil, false
		}
		return b[lenBytes : lenBytes+n], b[lenBytes+n:], true
	}
	u16s := func(b []byte) (out []uint16) {
		for ; len(b) >= 2; b = b[2:] {
			out = append(out, binary.BigEndian.Uint16(b))
		}
		return out
	}
	if len(msg) < 4 || msg[0] != tlsinfo.TypeClientHello {
		return nil, false
	}
	n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
	if len(msg)-4 < n || n < 2+32 {
		return nil, false
	}
	body := msg[4 : 4+n]
	ch := &tlsinfo.ClientHello{LegacyVersion: binary.BigEndian.Uint16(body)}
	b := body[34:]
	var ok bool
	var ciphers []byte
	if _, b, ok = vec(b, 1); !ok { // session id
		return nil, false
	}
	if ciphers, b, ok = vec(b, 2); !ok {
		return nil, false
	}
	ch.Ciphers = u16s(ciphers)
	if _, b, ok = vec(b, 1); !ok { // compression methods
		return nil, false
	}
	if len(b) == 0 {
		return ch, true
	}
	exts, _, ok := vec(b, 2)
	if !ok {
		return nil, false
	}
	for len(exts) > 0 {
		if len(exts) < 2 {
			return nil, false
		}
		typ := binary.BigEndian.Uint16(exts)
		data, rest, ok := vec(exts[2:], 2)
		if !ok {
			return nil, false
		}
		exts = rest
		ch.Extensions = append(ch.Extensions, typ)
		switch typ {
		case 0, 16: // server_name, ALPN: a vec16 of entries
			list, _, ok := vec(data, 2)
			for ok && len(list) > 0 {
				var name []byte
				switch {
				case typ == 16:
					name, list, ok = vec(list, 1)
					if ok {
						ch.ALPN = append(ch.ALPN, string(name))
					}
				case len(list) < 1:
					ok = false
				default:
					kind := list[0]
					name, list, ok = vec(list[1:], 2)
					if ok && kind == 0 && ch.SNI == "" {
						ch.SNI = string(name)
					}
				}
			}
			if !ok {
				return nil, false
			}
		case 10, 13: // supported_groups, signature_algorithms
			list, _, ok := vec(data, 2)
			if !ok {
				return nil, false
			}
			if typ == 10 {
				ch.Groups = append(ch.Groups, u16s(list)...)
			} else {
				ch.SigAlgs = append(ch.SigAlgs, u16s(list)...)
			}
		case 43: // supported_versions
			list, _, ok := vec(data, 1)
			if !ok {
				return nil, false
			}
			ch.Versions = append(ch.Versions, u16s(list)...)
		case 11: // ec_point_formats
			list, _, ok := vec(data, 1)
			if !ok {
				return nil, false
			}
			ch.PointFormats = append(ch.PointFormats, list...)
		}
	}
	return ch, true
}

func checkParseAsReference(t *testing.T, msg []byte) {
	t.Helper()
	got, err := tlsinfo.ParseClientHello(msg)
	want, ok := refParseClientHello(msg)
	if (err == nil) != ok {
		t.Fatalf("ParseClientHello(% x): error %v, reference parses: %v", msg, err, ok)
	}
	if ok && !reflect.DeepEqual(got, want) {
		t.Fatalf("ParseClientHello(% x)\n = %+v\nreference %+v", msg, got, want)
	}
}

// TestParseClientHelloAsReference: generated hellos (GREASE, TLS 1.3, long
// lists, ALPN), every truncation of some, random byte changes, and
// extensions sent twice.
func TestParseClientHelloAsReference(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	list := func() []uint16 {
		vs := make([]uint16, []int{0, 1, 2, 30, 200}[r.Intn(5)])
		for i := range vs {
			vs[i] = uint16(r.Uint32())
		}
		return vs
	}
	for i := 0; i < 2000; i++ {
		h := netgen.Hello{TLS13: r.Intn(2) == 0, GREASE: r.Intn(2) == 0, Ciphers: list(), SigAlgs: list(), Groups: list(),
			Padding: r.Intn(3) * 100}
		if r.Intn(3) > 0 {
			h.SNI = "a.example"
		}
		for j := r.Intn(4); j > 0; j-- {
			h.ALPN = append(h.ALPN, []string{"h2", "http/1.1", "h3", "x", "\xff\x00"}[r.Intn(5)])
		}
		msg := netgen.ClientHelloMsg(h)
		checkParseAsReference(t, msg)
		if i < 20 {
			for cut := range msg {
				checkParseAsReference(t, msg[:cut])
			}
		}
		for j := 0; j < 4; j++ {
			m := append([]byte(nil), msg...)
			m[r.Intn(len(m))] = byte(r.Intn(256))
			checkParseAsReference(t, m)
		}
	}
	// supported_groups (10) and signature_algorithms (13) sent twice: the
	// second adds to the first
	twice := []byte{0x03, 0x03}
	twice = append(twice, make([]byte, 32)...)
	twice = append(twice, 0, 0, 2, 0x13, 0x01, 1, 0)
	exts := []byte{0, 10, 0, 4, 0, 2, 0, 0x1d, 0, 10, 0, 6, 0, 4, 0, 0x17, 0, 0x18, 0, 13, 0, 4, 0, 2, 4, 3, 0, 13, 0, 4, 0, 2, 8, 4}
	twice = append(twice, byte(len(exts)>>8), byte(len(exts)))
	twice = append(twice, exts...)
	msg := append([]byte{tlsinfo.TypeClientHello, 0, byte(len(twice) >> 8), byte(len(twice))}, twice...)
	checkParseAsReference(t, msg)
	if ch, _ := tlsinfo.ParseClientHello(msg); len(ch.Groups) != 3 || len(ch.SigAlgs) != 2 {
		t.Fatalf("extensions sent twice: groups %v, signature algorithms %v", ch.Groups, ch.SigAlgs)
	}
}

func FuzzParseClientHelloAsReference(f *testing.F) {
	f.Add(netgen.ClientHelloMsg(netgen.Hello{SNI: "a.example", ALPN: []string{"h2", "x"}, TLS13: true, GREASE: true}))
	f.Add(netgen.ClientHelloMsg(netgen.Hello{}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		checkParseAsReference(t, b)
	})
}
