package quic

import (
	"bytes"
	"testing"
)

// gquicCrypto encodes a CRYPTO frame as Google's T05x versions do (type
// 0x08, varint offset and length).
func gquicCrypto(off uint64, data []byte) []byte {
	b := appendVarint([]byte{0x08}, off)
	b = appendVarint(b, uint64(len(data)))
	return append(b, data...)
}

// TestVersionsDecrypt: a ClientHello in an Initial of every version the
// package reads is delivered, with its version.
func TestVersionsDecrypt(t *testing.T) {
	hello := buildHello("versions.example", []string{"h3"}, 0)
	for _, v := range []uint32{Version1, Version2, 0xff000016, 0xff000017, 0xff00001d, 0xff000022,
		VersionMvfst, VersionMvfst27, VersionMvfstExp, VersionT050, VersionT051, 0x1a2a3a4a, 0xbabababa} {
		frames := cryptoFrame(0, hello)
		if v == VersionT050 || v == VersionT051 {
			frames = append([]byte{0x40, 1, 2, 3, 4, 5}, gquicCrypto(0, hello)...) // a gQUIC ACK first
		}
		pkt := sealInitial(t, v, []byte{1, 2, 3, 4, 5, 6, 7, 8}, nil, 0, frames, 1200)
		a := NewAssembler(4)
		got, gv, ok, err := a.Feed("c", pkt)
		if !ok || gv != v || !bytes.Equal(got, hello) {
			t.Errorf("%s: ok %v version %#x err %v", VersionName(v), ok, gv, err)
		}
	}
	// greased versions protected with the salt of draft 29 or of drafts
	// 23-28 (clients of 2020: nDPI's quic_interop_V.pcapng)
	for _, as := range []uint32{0xff00001d, 0xff00001b} {
		pkt := sealInitialAs(t, 0x0a0a0a0a, as, []byte{1, 2, 3, 4, 5, 6, 7, 8}, nil, 0, cryptoFrame(0, hello), 1200)
		got, gv, ok, err := NewAssembler(4).Feed("c", pkt)
		if !ok || gv != 0x0a0a0a0a || !bytes.Equal(got, hello) {
			t.Errorf("greased, protected as %s: ok %v version %#x err %v", VersionName(as), ok, gv, err)
		}
	}
	if _, _, ok, _ := NewAssembler(1).Feed("c", append([]byte{0xc3, 0x12, 0x34, 0x56, 0x78, 8}, make([]byte, 1200)...)); ok {
		t.Error("unknown version delivered a ClientHello")
	}
}

// TestEveryHelloOfAConnection: the second ClientHello after a
// HelloRetryRequest (later in the CRYPTO stream), the one after a Retry
// (new connection ID, new keys) and the one after version negotiation (a
// greased version then v1) are each delivered; retransmissions are not.
func TestEveryHelloOfAConnection(t *testing.T) {
	ch1 := buildHello("hrr.example", []string{"h3"}, 0)
	ch2 := buildHello("hrr.example", []string{"h3"}, 40)
	dcid := []byte{9, 9, 9, 9, 9, 9, 9, 9}
	a := NewAssembler(4)
	feed := func(pkt []byte) []byte {
		got, _, ok, err := a.Feed("c", pkt)
		if !ok {
			if err != nil {
				t.Fatal(err)
			}
			return nil
		}
		return got
	}
	if got := feed(sealInitial(t, Version1, dcid, nil, 0, cryptoFrame(0, ch1), 1200)); !bytes.Equal(got, ch1) {
		t.Fatal("first ClientHello not delivered")
	}
	if got := feed(sealInitial(t, Version1, dcid, nil, 1, cryptoFrame(0, ch1), 1200)); got != nil {
		t.Fatal("retransmission delivered again")
	}
	half := len(ch2) / 2
	if got := feed(sealInitial(t, Version1, dcid, nil, 2, cryptoFrame(uint64(len(ch1)+half), ch2[half:]), 1200)); got != nil {
		t.Fatal("half a ClientHello delivered")
	}
	if got := feed(sealInitial(t, Version1, dcid, nil, 3, cryptoFrame(uint64(len(ch1)), ch2[:half]), 1200)); !bytes.Equal(got, ch2) {
		t.Fatal("ClientHello after HelloRetryRequest not delivered")
	}
	// a Retry: the client starts again with the server's connection ID
	if got := feed(sealInitial(t, Version1, []byte{7, 7, 7, 7}, nil, 0, cryptoFrame(0, ch1), 1200)); !bytes.Equal(got, ch1) {
		t.Fatal("ClientHello after Retry not delivered")
	}
	// past the bound, nothing more
	if got := feed(sealInitial(t, Version1, []byte{6, 6, 6, 6}, nil, 0, cryptoFrame(0, ch1), 1200)); !bytes.Equal(got, ch1) {
		t.Fatal("fourth ClientHello not delivered")
	}
	if got := feed(sealInitial(t, Version1, []byte{5, 5, 5, 5}, nil, 0, cryptoFrame(0, ch1), 1200)); got != nil {
		t.Fatalf("ClientHello beyond MaxHellos (%d) delivered", MaxHellos)
	}

	// version negotiation: a greased Initial, then v1 with the same DCID
	b := NewAssembler(4)
	for i, v := range []uint32{0x0a1a2a3a, Version1} {
		got, gv, ok, err := b.Feed("vn", sealInitial(t, v, dcid, nil, 0, cryptoFrame(0, ch1), 1200))
		if !ok || gv != v || !bytes.Equal(got, ch1) {
			t.Fatalf("Initial %d (%s): ok %v %v", i, VersionName(v), ok, err)
		}
	}
}

func TestVersionName(t *testing.T) {
	for v, want := range map[uint32]string{Version1: "v1", Version2: "v2", 0xff00001d: "draft-29", VersionMvfst: "mvfst-22",
		VersionMvfst27: "mvfst-27", VersionMvfstExp: "mvfst-exp", VersionT050: "T050", VersionT051: "T051",
		0x51303436: "Q046", 0xbabababa: "greased 0xbabababa", 0x12345678: "0x12345678"} {
		if got := VersionName(v); got != want {
			t.Errorf("%#x: %s, want %s", v, got, want)
		}
	}
}
