package dissect_test

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func TestCommunityID(t *testing.T) {
	// Reference vectors of the Community ID v1 specification (seed 0).
	tests := []struct {
		src   string
		sport uint16
		dst   string
		dport uint16
		proto uint8
		want  string
	}{
		{"128.232.110.120", 34855, "66.35.250.204", 80, 6, "1:LQU9qZlK+B5F3KDmev6m5PMibrg="},
		{"192.168.1.52", 54585, "8.8.8.8", 53, 17, "1:d/FP5EW3wiY1vCndhwleRRKHowQ="},
		{"2001:470:e5bf:dead:4957:2174:e82c:4887", 63943, "2607:f8b0:400c:c03::1a", 25, 6, "1:/qFaeAR+gFe1KYjMzVDsMv+wgU4="},
	}
	for _, tc := range tests {
		s, d := netip.MustParseAddr(tc.src), netip.MustParseAddr(tc.dst)
		if got := dissect.CommunityID(s, d, tc.sport, tc.dport, tc.proto); got != tc.want {
			t.Errorf("%s:%d -> %s:%d = %s, want %s", tc.src, tc.sport, tc.dst, tc.dport, got, tc.want)
		}
		if got := dissect.CommunityID(d, s, tc.dport, tc.sport, tc.proto); got != tc.want {
			t.Errorf("reverse of %s = %s, want %s", tc.src, got, tc.want)
		}
	}
}

func TestDecodeLinkTypes(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	c6, s6 := netgen.Addr("2001:db8::2"), netgen.Addr("2001:db8::1")
	tcp := netgen.TCP(50000, 443, 7, 0, netgen.SYN, []byte("hi"))
	ip4 := netgen.IP(c, s, 6, tcp)
	ip6 := netgen.IP(c6, s6, 6, tcp)
	tests := []struct {
		name string
		link uint32
		data []byte
		src  netip.Addr
		proc string
	}{
		{"ethernet", pcapfile.LinkEthernet, netgen.Ethernet(ip4), c, ""},
		{"ethernet vlan", pcapfile.LinkEthernet, netgen.EthernetVLAN(ip4), c, ""},
		{"ethernet ipv6", pcapfile.LinkEthernet, netgen.Ethernet(ip6), c6, ""},
		{"sll", pcapfile.LinkSLL, netgen.SLL(ip4), c, ""},
		{"sll2", pcapfile.LinkSLL2, netgen.SLL2(ip6), c6, ""},
		{"null", pcapfile.LinkNull, netgen.Null(ip4), c, ""},
		{"null ipv6", pcapfile.LinkNull, netgen.Null(ip6), c6, ""},
		{"raw", pcapfile.LinkRaw, ip4, c, ""},
		{"raw ipv6 (228/229)", pcapfile.LinkIPv6, ip6, c6, ""},
		{"pktap", pcapfile.LinkPKTAP, netgen.PKTAP("Signal", 42)(ip4), c, "Signal"},
	}
	d := dissect.NewDecoder()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p dissect.Packet
			if err := d.Decode(tc.link, tc.data, 0, &p); err != nil {
				t.Fatal(err)
			}
			if p.Src != tc.src || p.Proto != 6 || p.SrcPort != 50000 || p.DstPort != 443 ||
				p.TCPFlags != netgen.SYN || string(p.Payload) != "hi" || string(p.Process) != tc.proc {
				t.Errorf("got %+v", p)
			}
		})
	}
	var p dissect.Packet
	if err := d.Decode(999, ip4, 0, &p); err != dissect.ErrUnknownLink {
		t.Errorf("unknown link: %v", err)
	}
	if err := d.Decode(pcapfile.LinkEthernet, netgen.Ethernet(ip4)[:30], 0, &p); err == nil {
		t.Error("truncated IP header decoded")
	}
}

func TestDefrag(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	payload := netgen.UDP(53, 5000, bytes.Repeat([]byte("abcdefgh"), 300))
	frags := [][]byte{
		netgen.IPv4(s, c, 17, 9, 1600, false, payload[1600:]),
		netgen.IPv4(s, c, 17, 9, 0, true, payload[:800]),
		netgen.IPv4(s, c, 17, 9, 800, true, payload[800:1600]),
		netgen.IPv4(s, c, 17, 9, 0, true, payload[:800]), // duplicate after completion
	}
	d := dissect.NewDecoder()
	var p dissect.Packet
	var done int
	for i, f := range frags[:3] {
		err := d.Decode(pcapfile.LinkRaw, f, int64(i), &p)
		if err == nil {
			done++
			if !p.Reassembled || len(p.Payload) != len(payload)-8 || p.SrcPort != 53 {
				t.Errorf("reassembled %d bytes", len(p.Payload))
			}
		} else if err != dissect.ErrFragment {
			t.Fatal(err)
		}
	}
	if done != 1 || d.Defrag.Reassembled != 1 || d.Defrag.Pending() != 0 {
		t.Fatalf("done %d, stats %+v", done, d.Defrag)
	}
	// a lone first fragment stays pending, bounded, and expires
	d.Decode(pcapfile.LinkRaw, frags[3], 0, &p)
	if d.Defrag.Pending() != 1 {
		t.Fatal("fragment not held")
	}
	d.Decode(pcapfile.LinkRaw, netgen.IPv4(s, c, 17, 10, 0, true, payload[:800]), 60e9, &p)
	if d.Defrag.Expired != 1 {
		t.Errorf("expired %d", d.Defrag.Expired)
	}
	small := dissect.NewDefragmenter(2, 1000)
	for i := uint16(0); i < 5; i++ {
		small.Add(c, s, 17, i, 0, true, make([]byte, 400), 0)
	}
	if small.Pending() > 2 || small.Dropped == 0 {
		t.Errorf("bounds not enforced: pending %d dropped %d", small.Pending(), small.Dropped)
	}
}

func TestStream(t *testing.T) {
	s := &dissect.Stream{Cap: 12}
	s.SYN(99)
	s.Add(106, []byte("fgh"))  // ahead of a hole: held
	s.Add(100, []byte("abc"))  // in order
	s.Add(100, []byte("abc"))  // retransmission
	s.Add(103, []byte("de"))   // in order; "fgh" still waits for byte 105
	s.Add(105, []byte("EFGH")) // overlaps the held segment: first copy of 105..108 wins here
	if string(s.Data) != "abcdeEFGH" || s.Full {
		t.Fatalf("data %q full %v", s.Data, s.Full)
	}
	s.Add(112, []byte("zz"))     // ahead of a hole
	s.Add(109, []byte("123456")) // fills the hole and reaches the cap
	if string(s.Data) != "abcdeEFGH123" || !s.Full {
		t.Fatalf("data %q full %v", s.Data, s.Full)
	}
	if s.Add(121, []byte("more")) {
		t.Fatal("grew beyond its cap")
	}
	// a segment exactly 2^31 behind (found by fuzzing the whole pass)
	w := &dissect.Stream{Cap: 64}
	w.Add(0x80000000, []byte("a"))
	if w.Add(0, []byte("bb")) && len(w.Data) > 64 {
		t.Fatal("bad append")
	}
}

func FuzzDecode(f *testing.F) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	f.Add(uint32(1), netgen.Ethernet(netgen.IP(c, s, 6, netgen.TCP(1, 2, 3, 4, netgen.ACK, []byte("x")))))
	f.Add(uint32(258), netgen.PKTAP("a", 1)(netgen.IP(c, s, 17, netgen.UDP(1, 2, nil))))
	f.Add(uint32(101), netgen.IPv4(c, s, 17, 1, 8, false, []byte("12345678")))
	f.Add(uint32(276), netgen.SLL2(netgen.IP(netgen.Addr("::1"), netgen.Addr("::2"), 44, make([]byte, 16))))
	f.Fuzz(func(t *testing.T, link uint32, b []byte) {
		d := dissect.NewDecoder()
		var p dissect.Packet
		for i := 0; i < 3; i++ {
			_ = d.Decode(link, b, int64(i), &p)
		}
	})
}

func FuzzStream(f *testing.F) {
	f.Add(uint32(1), []byte("abc"), uint32(5), []byte("defg"), uint32(2), []byte("zz"))
	f.Fuzz(func(t *testing.T, s1 uint32, d1 []byte, s2 uint32, d2 []byte, s3 uint32, d3 []byte) {
		s := &dissect.Stream{Cap: 64}
		s.Add(s1, d1)
		s.Add(s2, d2)
		s.Add(s3, d3)
		if len(s.Data) > 64 {
			t.Fatalf("stream grew to %d", len(s.Data))
		}
	})
}

// BenchmarkDecode is the per-packet decode of an Ethernet/IPv4/TCP segment
// of 1448 bytes into a preallocated Packet; it must not allocate.
func BenchmarkDecode(b *testing.B) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	frame := netgen.Ethernet(netgen.IP(c, s, 6, netgen.TCP(50000, 443, 1, 1, netgen.ACK, make([]byte, 1448))))
	d := dissect.NewDecoder()
	var p dissect.Packet
	b.SetBytes(int64(len(frame)))
	b.ReportAllocs()
	for b.Loop() {
		if err := d.Decode(pcapfile.LinkEthernet, frame, 0, &p); err != nil {
			b.Fatal(err)
		}
		_, _ = dissect.KeyOf(&p)
	}
}

func TestDecodeDoesNotAllocate(t *testing.T) {
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("2001:db8::1")
	frames := [][]byte{
		netgen.Ethernet(netgen.IP(c, netgen.Addr("198.51.100.1"), 6, netgen.TCP(1, 443, 1, 1, netgen.ACK, make([]byte, 100)))),
		netgen.SLL2(netgen.IP(netgen.Addr("2001:db8::2"), s, 17, netgen.UDP(1, 53, make([]byte, 40)))),
	}
	d := dissect.NewDecoder()
	var p dissect.Packet
	allocs := testing.AllocsPerRun(100, func() {
		d.Decode(pcapfile.LinkEthernet, frames[0], 0, &p)
		d.Decode(pcapfile.LinkSLL2, frames[1], 0, &p)
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per decode", allocs)
	}
}
