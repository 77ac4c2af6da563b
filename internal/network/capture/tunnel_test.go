package capture

import (
	"bytes"
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// tunnelCapture holds the same TLS connection (same inner 5-tuple) through
// two VXLAN segments, DNS through GTP-U, HTTP through PPPoE over QinQ, and
// TLS through CAPWAP with 802.11 inside.
func tunnelCapture(t testing.TB) []byte {
	var buf bytes.Buffer
	w, err := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, true)
	if err != nil {
		t.Fatal(err)
	}
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.1")
	e := netgen.Ends{A: netgen.Addr("192.0.2.1"), B: netgen.Addr("192.0.2.2")}
	e6 := netgen.Ends{A: netgen.Addr("2001:db8:1::1"), B: netgen.Addr("2001:db8:1::2")}
	hello := func(sni string) []byte { return netgen.ClientHello(netgen.Hello{SNI: sni, ALPN: []string{"h2"}}) }
	flight := netgen.ServerFlight(netgen.Cert("vni.example", []string{"vni.example"}, "Example CA"))
	for _, vni := range []uint32{100, 200} {
		g := &netgen.Gen{W: w, Now: netgen.DemoStart, Link: netgen.Via(netgen.Ethernet, netgen.VXLAN(e, vni))}
		g.TCP(c, s, 50000, 443, hello("vni.example"), flight)
	}
	g := &netgen.Gen{W: w, Now: netgen.DemoStart.Add(1e9), Link: netgen.Via(netgen.Ethernet, netgen.GTPU(e6, 0x1111, true))}
	g.DNS(c, netgen.Addr("10.0.0.53"), 40000, 7, "gtp.example", nil, s)
	g = &netgen.Gen{W: w, Now: netgen.DemoStart.Add(2e9), Link: netgen.PPPoE(0x42, [2]uint16{0x88a8, 10}, [2]uint16{0x8100, 20})}
	g.TCP(c, s, 50001, 80, netgen.HTTPRequest("GET", "pppoe.example", "/", "ua"), []byte("HTTP/1.1 204 No Content\r\n\r\n"))
	g = &netgen.Gen{W: w, Now: netgen.DemoStart.Add(3e9), Link: netgen.Via(netgen.Ethernet, netgen.CAPWAP(e, true))}
	g.TCP(c, s, 50002, 443, hello("capwap.example"), nil)
	if g.Err != nil {
		t.Fatal(g.Err)
	}
	w.Flush()
	return buf.Bytes()
}

func TestTunnelledTraffic(t *testing.T) {
	res, err := Analyze(context.Background(), bytes.NewReader(tunnelCapture(t)), "tunnels.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	// the same 5-tuple in two VXLAN segments is two flows, each naming its
	// tunnel; both directions of a connection share it
	var vxlan []string
	for _, f := range res.Flows {
		if f.Client == "10.0.0.2:50000" {
			vxlan = append(vxlan, f.Tunnel)
			if f.PacketsIn == 0 || f.PacketsOut == 0 || f.App != "tls" {
				t.Errorf("flow %+v: one direction missing", f)
			}
		}
	}
	want := []string{"vxlan 192.0.2.1 -> 192.0.2.2 vni 100", "vxlan 192.0.2.1 -> 192.0.2.2 vni 200"}
	if strings.Join(vxlan, "|") != strings.Join(want, "|") {
		t.Errorf("VXLAN flows %q, want %q", vxlan, want)
	}
	if len(res.TLS) == 0 || len(res.TLS[0].Certificates) == 0 {
		t.Errorf("TLS through VXLAN not read: %+v", res.TLS)
	}
	if !hasDNS(res, "gtp.example", "gtp-u 2001:db8:1::1 -> 2001:db8:1::2 teid 0x1111") {
		t.Errorf("DNS through GTP-U: %+v", res.DNS)
	}
	if !hasHTTP(res, "pppoe.example", "pppoe session 0x0042") {
		t.Errorf("HTTP through PPPoE: %+v", res.HTTP)
	}
	if !hasTLS(res, "capwap.example", "capwap 192.0.2.1 -> 192.0.2.2") {
		t.Errorf("TLS through CAPWAP: %+v", res.TLS)
	}
	if res.Summary.Undecodable != 0 {
		t.Errorf("undecodable: %v", res.Summary.UndecodableBy)
	}
}

func TestTunnelEndpointObserved(t *testing.T) {
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	e := netgen.Ends{A: netgen.Addr("10.9.9.9"), B: netip.MustParseAddr(netgen.PlantedIP)}
	g := &netgen.Gen{W: w, Now: netgen.DemoStart, Link: netgen.Via(netgen.Ethernet, netgen.GRE(e, 0))}
	g.DNS(netgen.Addr("10.0.0.2"), netgen.Addr("10.0.0.1"), 4000, 1, "inner.example", nil, netgen.Addr("10.0.0.9"))
	w.Flush()
	res, err := Analyze(context.Background(), &buf, "gre.pcap", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if o := obs(res, KindIP, netgen.PlantedIP); o == nil || o.Sources[0] != "tunnel endpoint" {
		t.Errorf("tunnel endpoint %s: %+v", netgen.PlantedIP, o)
	}
}
