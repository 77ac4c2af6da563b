package quic

import (
	"errors"
	"io"
	"os"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
)

// helloFromCapture feeds every UDP payload of a capture, keyed by its
// direction, and returns the ClientHellos found. The capture is read with
// spyscan's own pcapfile and dissect (gopacket was used here only to read
// the file: it is no longer compiled into this test binary).
func helloFromCapture(t *testing.T, name string) (hellos [][]byte, versions []uint32) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, err := pcapfile.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	a := NewAssembler(64)
	d := dissect.NewDecoder()
	var (
		cp pcapfile.Packet
		p  dissect.Packet
	)
	for {
		err := src.Next(&cp)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Decode(cp.LinkType, cp.Data, cp.Time, &p); err != nil || p.Proto != dissect.ProtoUDP {
			continue
		}
		key := dissect.Endpoint(p.Src, p.SrcPort) + "->" + dissect.Endpoint(p.Dst, p.DstPort)
		if hello, v, ok, _ := a.Feed(key, p.Payload); ok {
			hellos = append(hellos, hello)
			versions = append(versions, v)
		}
	}
	return hellos, versions
}

// TestSuricataVerifyQUIC checks the capture of OISF/suricata-verify
// tests/quic-ietf, whose expected output names SNI msquic.net, ALPN h3-29.
func TestSuricataVerifyQUIC(t *testing.T) {
	hellos, versions := helloFromCapture(t, "suricata-verify-quic-ietf.pcap")
	if len(hellos) != 1 {
		t.Fatalf("%d ClientHellos, want 1", len(hellos))
	}
	hi := parseHello(t, hellos[0])
	if hi.sni != "msquic.net" {
		t.Errorf("SNI = %q, want msquic.net", hi.sni)
	}
	if len(hi.alpn) == 0 || hi.alpn[0] != "h3-29" {
		t.Errorf("ALPN = %q, want h3-29 first", hi.alpn)
	}
	t.Logf("version %#x, ALPN %q", versions[0], hi.alpn)
}

// TestNDPIHelloInMultiplePackets checks ntop/nDPI's
// quic_frags_ch_in_multiple_packets.pcapng, whose expected result reports
// QUIC v1, no SNI, ALPNs h3-34...hq-interop and JA4
// q00d0307h3_... (3 cipher suites, 7 extensions).
func TestNDPIHelloInMultiplePackets(t *testing.T) {
	hellos, versions := helloFromCapture(t, "ndpi-quic_frags_ch_in_multiple_packets.pcapng")
	if len(hellos) != 1 {
		t.Fatalf("%d ClientHellos, want 1", len(hellos))
	}
	if versions[0] != Version1 {
		t.Errorf("version %#x, want 1", versions[0])
	}
	hi := parseHello(t, hellos[0])
	if hi.sni != "" {
		t.Errorf("SNI = %q, want none", hi.sni)
	}
	wantALPN := []string{"h3-34", "hq-34", "h3-33", "hq-33", "h3-32", "hq-32", "h3-31", "hq-31",
		"h3-29", "hq-29", "h3-30", "hq-30", "h3-28", "hq-28", "h3-27", "hq-27", "h3", "hq-interop"}
	if !slices.Equal(hi.alpn, wantALPN) {
		t.Errorf("ALPN = %q, want %q", hi.alpn, wantALPN)
	}
	if hi.ciphers != 3 || hi.exts != 7 {
		t.Errorf("%d ciphers, %d extensions; JA4 q00d0307 says 3 and 7", hi.ciphers, hi.exts)
	}
}
