package quic

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
)

func TestInitialKeysRFC(t *testing.T) {
	tests := []struct {
		name        string
		version     uint32
		secret      string
		key, iv, hp string
	}{
		{"RFC 9001 A.1", Version1,
			"c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea",
			"1f369613dd76d5467730efcbe3b1a22d", "fa044b2f42a3fd3b46fb255c", "9f50449e04a0e810283a1e9933adedd2"},
		{"RFC 9369 A.1", Version2,
			"14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b",
			"8b1a0bc121284290a29e0971b5cd045d", "91f73e2351d8fa91660e909f", "45b95e15235d6f45a6b19cbcb0294ba9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			secret, ok := ClientInitialSecret(tc.version, rfcDCID)
			if !ok || hex.EncodeToString(secret) != tc.secret {
				t.Errorf("client secret = %x, want %s", secret, tc.secret)
			}
			k, ok := ClientInitialKeys(tc.version, rfcDCID)
			if !ok {
				t.Fatal("no keys")
			}
			for _, c := range []struct{ what, got, want string }{
				{"key", hex.EncodeToString(k.Key), tc.key},
				{"iv", hex.EncodeToString(k.IV), tc.iv},
				{"hp", hex.EncodeToString(k.HP), tc.hp},
			} {
				if c.got != c.want {
					t.Errorf("%s = %s, want %s", c.what, c.got, c.want)
				}
			}
		})
	}
	if _, ok := ClientInitialKeys(0x12345678, rfcDCID); ok {
		t.Error("keys derived for an unknown version")
	}
	// a greased version (0x?a?a?a?a) is protected like v1 by the clients
	// that send one: nDPI's quic-forcing-vn-with-data.pcapng opens so
	g, ok := ClientInitialKeys(0x0a0a0a0a, rfcDCID)
	v1, _ := ClientInitialKeys(Version1, rfcDCID)
	if !ok || hex.EncodeToString(g.Key) != hex.EncodeToString(v1.Key) {
		t.Error("greased version: no v1 keys")
	}
}

func TestRFCClientInitial(t *testing.T) {
	tests := []struct {
		file    string
		version uint32
	}{
		{"rfc9001-client-initial.hex", Version1},
		{"rfc9369-client-initial.hex", Version2},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			pkt := readHex(t, tc.file)
			if !LooksLikeInitial(pkt) {
				t.Fatal("LooksLikeInitial = false")
			}
			a := NewAssembler(4)
			hello, v, ok, err := a.Feed("c1", pkt)
			if err != nil || !ok {
				t.Fatalf("Feed: ok=%v err=%v", ok, err)
			}
			if v != tc.version {
				t.Errorf("version = %#x, want %#x", v, tc.version)
			}
			if len(hello) != 4+0xed {
				t.Errorf("ClientHello is %d bytes, want 241", len(hello))
			}
			hi := parseHello(t, hello)
			if hi.sni != "example.com" {
				t.Errorf("SNI = %q, want example.com", hi.sni)
			}
			// Re-sealing the decrypted ClientHello exactly as the RFC did must
			// give the RFC's bytes: this checks header protection, the nonce
			// and the associated data end to end.
			frames := cryptoFrame(0, hello)
			resealed := sealInitial(t, tc.version, rfcDCID, nil, 2, frames, 1200)
			if !bytes.Equal(resealed, pkt) {
				t.Errorf("re-sealed packet differs from the RFC sample")
			}
			// A retransmission of the same packet is not reported twice.
			if _, _, ok, err := a.Feed("c1", pkt); ok || err != nil {
				t.Errorf("retransmission: ok=%v err=%v", ok, err)
			}
		})
	}
}

func TestTamperedAndTruncated(t *testing.T) {
	pkt := readHex(t, "rfc9001-client-initial.hex")
	flip := bytes.Clone(pkt)
	flip[600] ^= 1
	hdr := bytes.Clone(pkt)
	hdr[7] ^= 1 // inside the DCID: other keys
	tests := []struct {
		name    string
		payload []byte
		want    error
	}{
		{"flipped ciphertext", flip, ErrDecrypt},
		{"changed DCID", hdr, ErrDecrypt},
		{"cut before sample", pkt[:30], ErrTruncated},
		{"cut in payload", pkt[:600], ErrTruncated},
		{"huge DCID length", append([]byte{0xc0, 0, 0, 0, 1, 21}, make([]byte, 40)...), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := NewAssembler(4)
			_, _, ok, err := a.Feed("k", tc.payload)
			if ok || !errors.Is(err, tc.want) {
				t.Errorf("ok=%v err=%v, want %v", ok, err, tc.want)
			}
			if a.Conns() != 0 {
				t.Errorf("a refused packet created %d connection(s)", a.Conns())
			}
		})
	}
}

func TestNotInitial(t *testing.T) {
	for _, p := range [][]byte{
		nil,
		{0x40, 1, 2, 3},                      // short header
		{0x80, 0, 0, 0, 0, 4, 1, 2, 3, 4, 0}, // version negotiation
		[]byte("GET / HTTP/1.1\r\n\r\n"),
	} {
		a := NewAssembler(1)
		if _, _, ok, err := a.Feed("k", p); ok || err != nil {
			t.Errorf("%x: ok=%v err=%v", p, ok, err)
		}
		if LooksLikeInitial(p) {
			t.Errorf("%x: LooksLikeInitial = true", p)
		}
	}
}

// splitHello seals a large ClientHello into n packets of CRYPTO frames.
func splitHello(t *testing.T, version uint32, dcid []byte, hello []byte, n int) [][]byte {
	t.Helper()
	var pkts [][]byte
	step := (len(hello) + n - 1) / n
	for i := 0; i < n; i++ {
		lo, hi := i*step, min((i+1)*step, len(hello))
		frames := append([]byte{framePing}, cryptoFrame(uint64(lo), hello[lo:hi])...)
		pkts = append(pkts, sealInitial(t, version, dcid, []byte{1, 2, 3, 4}, uint32(i), frames, 1200))
	}
	return pkts
}

func TestHelloAcrossPackets(t *testing.T) {
	dcid := []byte{9, 8, 7, 6, 5, 4, 3, 2, 1, 0}
	hello := buildHello("spyware.example.net", []string{"h3"}, 2500)
	for _, version := range []uint32{Version1, Version2, 0xff00001d} {
		for _, order := range [][]int{{0, 1, 2}, {2, 0, 1}, {1, 2, 0}} {
			t.Run(fmt.Sprintf("%#x/%v", version, order), func(t *testing.T) {
				pkts := splitHello(t, version, dcid, hello, 3)
				a := NewAssembler(8)
				for i, idx := range order {
					got, v, ok, err := a.Feed("conn", pkts[idx])
					if err != nil {
						t.Fatalf("packet %d: %v", idx, err)
					}
					if last := i == len(order)-1; ok != last {
						t.Fatalf("after packet %d: ok=%v", idx, ok)
					}
					if ok {
						if !bytes.Equal(got, hello) || v != version {
							t.Fatalf("reassembled hello differs (version %#x)", v)
						}
						if parseHello(t, got).sni != "spyware.example.net" {
							t.Error("SNI lost")
						}
					}
				}
			})
		}
	}
}

func TestCoalescedDatagram(t *testing.T) {
	dcid := []byte{1, 1, 2, 3, 5, 8, 13, 21}
	hello := buildHello("coalesced.example", nil, 200)
	first := sealInitial(t, Version1, dcid, nil, 0, cryptoFrame(0, hello[:100]), 0)
	second := sealInitial(t, Version1, dcid, nil, 1, cryptoFrame(100, hello[100:]), 0)
	// A trailing 0-RTT packet (type 1) and a short-header packet must be skipped.
	zeroRTT := []byte{0xd0, 0, 0, 0, 1, byte(len(dcid))}
	zeroRTT = append(zeroRTT, dcid...)
	zeroRTT = append(zeroRTT, 0, 0x40, 20)
	zeroRTT = append(zeroRTT, make([]byte, 20)...)
	dgram := bytes.Join([][]byte{first, second, zeroRTT, {0x40, 1, 2, 3}}, nil)
	got, _, ok, err := NewAssembler(2).Feed("c", dgram)
	if !ok || err != nil || !bytes.Equal(got, hello) {
		t.Fatalf("ok=%v err=%v equal=%v", ok, err, bytes.Equal(got, hello))
	}
}

func TestNewConnectionOnSameKey(t *testing.T) {
	first := buildHello("first.example", nil, 0)
	second := buildHello("second.example", nil, 0)
	a := NewAssembler(4)
	p1 := sealInitial(t, Version1, []byte{1, 1, 1, 1, 1, 1, 1, 1}, nil, 0, cryptoFrame(0, first), 1200)
	p2 := sealInitial(t, Version1, []byte{2, 2, 2, 2, 2, 2, 2, 2}, nil, 0, cryptoFrame(0, second), 1200)
	for i, tc := range []struct {
		pkt  []byte
		want string
	}{{p1, "first.example"}, {p1, ""}, {p2, "second.example"}, {p2, ""}} {
		hello, _, ok, err := a.Feed("same-5-tuple", tc.pkt)
		if err != nil || ok != (tc.want != "") {
			t.Fatalf("feed %d: ok=%v err=%v", i, ok, err)
		}
		if ok && parseHello(t, hello).sni != tc.want {
			t.Errorf("feed %d: SNI %q, want %q", i, parseHello(t, hello).sni, tc.want)
		}
	}
}

func TestEvictionBoundsState(t *testing.T) {
	dcid := []byte{7, 7, 7, 7, 7, 7, 7, 7}
	hello := buildHello("evicted.example", nil, 2000)
	pkts := splitHello(t, Version1, dcid, hello, 2)
	a := NewAssembler(2)
	for _, k := range []string{"a", "b", "c"} {
		if _, _, ok, err := a.Feed(k, pkts[0]); ok || err != nil {
			t.Fatalf("%s: ok=%v err=%v", k, ok, err)
		}
	}
	if a.Conns() != 2 || a.Evicted() != 1 {
		t.Fatalf("conns=%d evicted=%d, want 2 and 1", a.Conns(), a.Evicted())
	}
	// "a" was evicted: its second half alone is not a complete ClientHello.
	if _, _, ok, _ := a.Feed("a", pkts[1]); ok {
		t.Error("evicted connection completed from half a ClientHello")
	}
	if _, _, ok, _ := a.Feed("c", pkts[1]); !ok {
		t.Error("tracked connection did not complete")
	}
}

func TestCryptoLimits(t *testing.T) {
	dcid := []byte{4, 4, 4, 4, 4, 4, 4, 4}
	tests := []struct {
		name   string
		frames []byte
		want   error
	}{
		{"offset beyond limit", cryptoFrame(MaxClientHello, []byte{1}), ErrCryptoLimit},
		{"not a ClientHello", cryptoFrame(0, []byte{0x02, 0, 0, 1, 0}), ErrNotHello},
		{"announced length too big", cryptoFrame(0, []byte{0x01, 0x7f, 0xff, 0xff}), ErrCryptoLimit},
		{"unknown frame", []byte{0x08, 0, 0}, ErrFrame},
		{"crypto length lies", []byte{frameCrypto, 0, 0x44, 0}, ErrFrame},
		{"ack ranges lie", []byte{frameAck, 1, 0, 0x7f, 0}, ErrFrame},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pkt := sealInitial(t, Version1, dcid, nil, 0, tc.frames, 0)
			_, _, ok, err := NewAssembler(1).Feed("k", pkt)
			if ok || !errors.Is(err, tc.want) {
				t.Errorf("ok=%v err=%v, want %v", ok, err, tc.want)
			}
		})
	}
	// ACK, PING and CONNECTION_CLOSE frames are parsed and skipped.
	hello := buildHello("frames.example", nil, 0)
	frames := []byte{frameAck, 5, 0, 1, 0, 1, 1, framePing, frameAckECN, 1, 0, 0, 0, 1, 2, 3}
	frames = append(frames, cryptoFrame(0, hello)...)
	got, _, ok, err := NewAssembler(1).Feed("k", sealInitial(t, Version1, dcid, nil, 0, frames, 1200))
	if !ok || err != nil || !bytes.Equal(got, hello) {
		t.Errorf("ok=%v err=%v", ok, err)
	}
}

func TestDecodePacketNumber(t *testing.T) {
	// RFC 9000 §A.3 example.
	if got := decodePacketNumber(0xa82f30ea, 0x9b32, 16); got != 0xa82f9b32 {
		t.Errorf("got %#x, want 0xa82f9b32", got)
	}
	if got := decodePacketNumber(-1, 2, 32); got != 2 {
		t.Errorf("first packet: got %d, want 2", got)
	}
}

func FuzzFeed(f *testing.F) {
	f.Add(readHex(f, "rfc9001-client-initial.hex"))
	f.Add(readHex(f, "rfc9369-client-initial.hex"))
	f.Add([]byte{0xc0, 0, 0, 0, 1, 0, 0, 0, 0x40, 0x20})
	f.Fuzz(func(t *testing.T, data []byte) {
		a := NewAssembler(2)
		hello, _, ok, err := a.Feed("x", data)
		if ok && (err != nil || len(hello) < 4 || hello[0] != 1) {
			t.Fatalf("ok with err=%v hello=%x", err, hello)
		}
		_ = LooksLikeInitial(data)
		// Fuzz the frame walker directly too, since AEAD keeps random data out.
		_ = walkFrames(data, func(uint64, []byte) error { return nil })
	})
}

func BenchmarkFeedRFCInitial(b *testing.B) {
	pkt := readHex(b, "rfc9001-client-initial.hex")
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprint("conn", i)
	}
	a := NewAssembler(len(keys))
	b.SetBytes(int64(len(pkt)))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.Feed(keys[i%len(keys)], pkt) // first feed per key decrypts, later ones are retransmissions
		if i%len(keys) == len(keys)-1 {
			a = NewAssembler(len(keys))
		}
	}
}

func BenchmarkLooksLikeInitial(b *testing.B) {
	pkt := readHex(b, "rfc9001-client-initial.hex")
	for b.Loop() {
		if !LooksLikeInitial(pkt) {
			b.Fatal("not initial")
		}
	}
}
