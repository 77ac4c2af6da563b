package capture

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/spyscan/spyscan/internal/network/tlsinfo"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

func TestRDPUDPSyn(t *testing.T) {
	syn := func(n int, flags uint16) []byte {
		b := make([]byte, n)
		binary.BigEndian.PutUint32(b, 0xffffffff)
		binary.BigEndian.PutUint16(b[4:], 64)
		binary.BigEndian.PutUint16(b[6:], flags)
		return b
	}
	tests := []struct {
		name string
		b    []byte
		want bool
	}{
		{"SYN, CORRELATION_ID, SYNEX (nDPI's rdp2.pcap)", syn(1232, 0x1801), true},
		{"SYN alone", syn(1300, 0x0001), true},
		{"SYN+ACK (the server's)", syn(1232, 0x1005), false},
		{"short", syn(1231, 0x1801), false},
		{"no SYN", syn(1232, 0x0008), false},
		{"other first word", append([]byte{0, 0, 0, 1}, syn(1232, 1)[4:]...), false},
	}
	for _, tc := range tests {
		if got := rdpUDPSyn(tc.b); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}

// TestTLSInsideRDPUDP: the ClientHello a client datagram of RDP's UDP
// transport holds whole is fingerprinted (nDPI's rdp2.pcap, Zeek's
// rdpeudp2 capture); one split over two datagrams is not read across the
// transport's headers, and a ClientHello in a UDP flow that did not start
// as RDP's is not read at all.
func TestTLSInsideRDPUDP(t *testing.T) {
	chMsg := netgen.ClientHelloMsg(netgen.Hello{SNI: "rdp.example", Ciphers: []uint16{0xc02f, 0x0035}})
	ch := netgen.Record(chMsg)
	parsed, err := tlsinfo.ParseClientHello(chMsg)
	if err != nil {
		t.Fatal(err)
	}
	syn := make([]byte, 1232)
	copy(syn, []byte{0xff, 0xff, 0xff, 0xff, 0, 64, 0x18, 0x01})
	synack := append([]byte{0xbb, 0xff, 0x56, 0x87, 0, 64, 0x10, 0x05}, make([]byte, 1224)...)
	hdr := []byte{0x00, 0x14, 0xc1, 0x01, 0xf4, 0x01, 0x64, 0xe0, 0x64, 0x00, 0x01, 0x00} // as in rdp2.pcap
	tests := []struct {
		name    string
		packets [][]byte // client, server, client...
		ja3     string
	}{
		{"whole ClientHello", [][]byte{syn, synack, append(append([]byte(nil), hdr...), ch...)}, tlsinfo.JA3(parsed)},
		{"retransmitted", [][]byte{syn, synack, append(append([]byte(nil), hdr...), ch...), nil, append(append([]byte(nil), hdr...), ch...)}, tlsinfo.JA3(parsed)},
		{"split over two datagrams", [][]byte{syn, synack, append(append([]byte(nil), hdr...), ch[:60]...), nil, append(append([]byte(nil), hdr...), ch[60:]...)}, ""},
		{"no RDP SYN first", [][]byte{append(append([]byte(nil), hdr...), ch...)}, ""},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
		g := &netgen.Gen{W: w, Now: netgen.DemoStart}
		c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.89")
		for i, p := range tc.packets {
			switch {
			case p == nil:
			case i%2 == 0:
				g.UDP(c, s, 54759, 3389, p)
			default:
				g.UDP(s, c, 3389, 54759, p)
			}
		}
		w.Flush()
		res := analyzeBytes(t, buf.Bytes())
		var got string
		for _, o := range res.Observations {
			if o.Kind == KindJA3 {
				got += o.Value
			}
		}
		if got != tc.ja3 {
			t.Errorf("%s: JA3 %q, want %q", tc.name, got, tc.ja3)
		}
		if tc.ja3 != "" && (len(res.TLS) != 1 || res.TLS[0].SNI != "rdp.example" || len(res.TLS[0].Fingerprints) != 1) {
			t.Errorf("%s: TLS records %+v", tc.name, res.TLS)
		}
		for _, f := range res.Findings {
			if f.MessageMsg.Key == "net.tls_port.title" {
				t.Errorf("%s: RDP's own port taken for an odd TLS port", tc.name)
			}
		}
	}
}
