package openvpn_test

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/spyscan/spyscan/internal/network/openvpn"
)

// pkt builds a control packet: opcode (key id 0), session id, tls-auth
// bytes (an HMAC, then replay id 1 and a time, when hmac > 0), acked
// message ids (then the peer's session id), message id and payload.
func pkt(op byte, sid uint64, hmac int, acks []uint32, msg uint32, payload []byte) []byte {
	b := []byte{op << 3}
	b = binary.BigEndian.AppendUint64(b, sid)
	if hmac > 0 {
		b = append(b, bytes.Repeat([]byte{0xa5}, hmac)...)
		b = binary.BigEndian.AppendUint32(b, 1)
		b = binary.BigEndian.AppendUint32(b, 0x5e3e7b98)
	}
	b = append(b, byte(len(acks)))
	for _, a := range acks {
		b = binary.BigEndian.AppendUint32(b, a)
	}
	if len(acks) > 0 {
		b = binary.BigEndian.AppendUint64(b, 0x1122334455667788)
	}
	b = binary.BigEndian.AppendUint32(b, msg)
	return append(b, payload...)
}

func TestClientReset(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		auth int
		ok   bool
	}{
		{"v2 without tls-auth", pkt(7, 1, 0, nil, 0, nil), 0, true},
		{"v2, tls-auth SHA-1", pkt(7, 1, 20, nil, 0, nil), 28, true},
		{"v2, tls-auth SHA-256", pkt(7, 1, 32, nil, 0, nil), 40, true},
		{"v2, tls-auth SHA-512", pkt(7, 1, 64, nil, 0, nil), 72, true},
		{"v2, tls-auth MD5", pkt(7, 1, 16, nil, 0, nil), 24, true},
		{"v1", pkt(1, 1, 0, nil, 0, nil), 0, true},
		{"v3 with early negotiation", pkt(10, 1, 0, nil, 0, []byte{0x0f, 0, 0, 2, 0, 1}), 0, true},
		// nDPI's 443-opvn.pcap: tls-auth with a 20-byte HMAC
		{"real, tls-auth", hexBytes(t, "38d67be45be5c201eb016435fcb1d6f60e1ac88b329546dc3c7abf0b9e000000015e3e7b980000000000"), 28, true},
		// nDPI's openvpn_nohmac.pcapng
		{"real, no tls-auth", hexBytes(t, "3839fded2daa10a4370000000000"), 0, true},
		{"server reset", pkt(8, 1, 0, []uint32{0}, 0, nil), 0, false},
		{"control packet", pkt(4, 1, 0, nil, 1, []byte{22, 3, 1, 0, 5}), 0, false},
		{"key id not 0", append([]byte{7<<3 | 1}, pkt(7, 1, 0, nil, 0, nil)[1:]...), 0, false},
		{"message id not 0", pkt(7, 1, 0, nil, 3, nil), 0, false},
		{"payload that is not early negotiation", pkt(7, 1, 0, nil, 0, []byte("GET / HTTP/1.1")), 0, false},
		{"tls-auth replay id 0", func() []byte { b := pkt(7, 1, 20, nil, 0, nil); b[29+3] = 0; return b }(), 0, false},
		{"too short", pkt(7, 1, 0, nil, 0, nil)[:13], 0, false},
		{"data packet", append([]byte{9 << 3}, make([]byte, 40)...), 0, false},
	}
	for _, tc := range tests {
		auth, ok := openvpn.ClientReset(tc.b)
		if ok != tc.ok || ok && auth != tc.auth {
			t.Errorf("%s: %d %v, want %d %v", tc.name, auth, ok, tc.auth, tc.ok)
		}
		framed := binary.BigEndian.AppendUint16(nil, uint16(len(tc.b)))
		framed = append(framed, tc.b...)
		if auth2, ok2 := openvpn.TCPClientReset(framed); ok2 != ok || auth2 != auth {
			t.Errorf("%s over TCP: %d %v, want %d %v", tc.name, auth2, ok2, auth, ok)
		}
	}
}

func TestLooksLikeTCP(t *testing.T) {
	reset := pkt(7, 1, 0, nil, 0, nil)
	framed := append(binary.BigEndian.AppendUint16(nil, uint16(len(reset))), reset...)
	crypt := append([]byte{0, 60, 7 << 3}, make([]byte, 59)...) // tls-crypt: no known layout, still OpenVPN
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"client reset", framed, true},
		{"tls-crypt reset", crypt, true},
		{"length past the segment", framed[:len(framed)-1], false},
		{"length short of the segment", append(framed, 0), false},
		{"control opcode first", append([]byte{0, 20, 4 << 3}, make([]byte, 19)...), false},
		{"TLS", []byte{22, 3, 1, 0, 20, 1, 0, 0, 16, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, false},
	}
	for _, tc := range tests {
		if got := openvpn.LooksLikeTCP(tc.b); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}

func TestParse(t *testing.T) {
	p, ok := openvpn.Parse(pkt(4, 0xabc, 20, []uint32{3, 4}, 9, []byte("tls")), 28)
	if !ok || p.Opcode != 4 || p.Session != 0xabc || p.Acks != 2 || p.MsgID != 9 || string(p.Payload) != "tls" {
		t.Fatalf("%+v %v", p, ok)
	}
	for _, b := range [][]byte{
		pkt(5, 1, 0, []uint32{1}, 0, nil)[:22], // P_ACK_V1: no message
		append([]byte{6 << 3}, make([]byte, 30)...),
		pkt(4, 1, 0, nil, 1, nil)[:12],                                         // cut in the message id
		func() []byte { b := pkt(4, 1, 0, nil, 1, nil); b[9] = 9; return b }(), // 9 acks
	} {
		if p, ok := openvpn.Parse(b, 0); ok {
			t.Errorf("%x: parsed %+v", b, p)
		}
	}
}

func TestTCPControlAt(t *testing.T) {
	tls := []byte{22, 3, 1, 0, 200, 1, 0, 0, 196}
	framed := func(p []byte) []byte { return append(binary.BigEndian.AppendUint16(nil, uint16(len(p))), p...) }
	tests := []struct {
		name string
		b    []byte
		at   int
		auth int
		ok   bool
	}{
		{"no tls-auth", framed(pkt(4, 1, 0, nil, 1, tls)), 2 + 14, 0, true},
		{"SHA-1 tls-auth, acks", framed(pkt(4, 1, 20, []uint32{1, 2}, 1, tls)), 2 + 14 + 28 + 8 + 8, 28, true},
		{"SHA-512 tls-auth", framed(pkt(4, 1, 64, nil, 1, tls)), 2 + 14 + 72, 72, true},
		{"record elsewhere", framed(pkt(4, 1, 0, nil, 1, append([]byte{0, 0, 0}, tls...))), 2 + 14 + 3, 0, false},
		{"not a control packet", framed(pkt(7, 1, 0, nil, 0, tls)), 2 + 14, 0, false},
		{"packet past the segment", framed(pkt(4, 1, 0, nil, 1, tls))[:20], 2 + 14, 0, false},
	}
	for _, tc := range tests {
		auth, ok := openvpn.TCPControlAt(tc.b, tc.at)
		if ok != tc.ok || ok && auth != tc.auth {
			t.Errorf("%s: %d %v, want %d %v", tc.name, auth, ok, tc.auth, tc.ok)
		}
	}
}

// TestChannel: messages come back in order, once, whatever the network
// did to them; a gap that never fills stops the channel.
func TestChannel(t *testing.T) {
	msg := func(id uint32, s string) openvpn.Packet {
		return openvpn.Packet{Opcode: 4, MsgID: id, Payload: []byte(s)}
	}
	reset := openvpn.Packet{Opcode: 7, MsgID: 0, Payload: []byte{0x0f, 0, 0, 2, 0, 1}}
	tests := []struct {
		name string
		in   []openvpn.Packet
		want string
		gave bool
	}{
		{"in order after the reset", []openvpn.Packet{reset, msg(1, "ab"), msg(2, "cd")}, "abcd", false},
		{"retransmitted", []openvpn.Packet{reset, msg(1, "ab"), msg(1, "ab"), reset, msg(2, "cd")}, "abcd", false},
		{"reordered", []openvpn.Packet{reset, msg(2, "cd"), msg(3, "ef"), msg(1, "ab")}, "abcdef", false},
		{"capture starts after the reset", []openvpn.Packet{msg(5, "ab"), msg(6, "cd")}, "abcd", false},
		{"message id wraps", []openvpn.Packet{msg(0xffffffff, "ab"), msg(0, "cd")}, "abcd", false},
		{"gap never filled", append([]openvpn.Packet{reset}, func() (ps []openvpn.Packet) {
			for i := uint32(2); i < 40; i++ {
				ps = append(ps, msg(i, "x"))
			}
			return
		}()...), "", true},
	}
	for _, tc := range tests {
		var c openvpn.Channel
		var got []byte
		for _, p := range tc.in {
			c.Add(p, func(b []byte) { got = append(got, b...) })
		}
		if string(got) != tc.want || c.Broken != tc.gave {
			t.Errorf("%s: %q broken %v, want %q %v", tc.name, got, c.Broken, tc.want, tc.gave)
		}
	}
}

func hexBytes(t *testing.T, s string) []byte {
	t.Helper()
	b := make([]byte, len(s)/2)
	for i := range b {
		var v byte
		for _, c := range s[2*i : 2*i+2] {
			v <<= 4
			switch {
			case c >= '0' && c <= '9':
				v |= byte(c - '0')
			case c >= 'a' && c <= 'f':
				v |= byte(c - 'a' + 10)
			default:
				t.Fatalf("bad hex %q", s)
			}
		}
		b[i] = v
	}
	return b
}

// FuzzOpenVPN: no input makes the readers panic, read past the packet, or
// hold more than their bounds.
func FuzzOpenVPN(f *testing.F) {
	f.Add(pkt(7, 1, 20, nil, 0, nil))
	f.Add(pkt(4, 1, 0, []uint32{1, 2}, 3, []byte{22, 3, 1, 0, 1, 1}))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<16 {
			return
		}
		openvpn.ClientReset(b)
		openvpn.TCPClientReset(b)
		openvpn.LooksLikeTCP(b)
		for at := range min(len(b), 128) {
			if auth, ok := openvpn.TCPControlAt(b, at); ok && (auth < 0 || auth > 72) {
				t.Fatalf("tls-auth of %d bytes", auth)
			}
		}
		var c openvpn.Channel
		total, given := 0, 0
		for off := 0; off < len(b); off += 7 {
			for _, auth := range []int{0, 28, 40} {
				p, ok := openvpn.Parse(b[off:], auth)
				if !ok {
					continue
				}
				if len(p.Payload) > len(b)-off {
					t.Fatalf("payload of %d bytes from %d", len(p.Payload), len(b)-off)
				}
				given += len(p.Payload)
				c.Add(p, func(pl []byte) { total += len(pl) })
			}
		}
		if total > given {
			t.Fatalf("%d bytes delivered of %d given", total, given)
		}
	})
}
