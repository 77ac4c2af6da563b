package capture

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// TestIdleFlowSeenAgain: a packet of a flow idle past its timeout starts a
// new flow, whether or not another flow's packet came first to end the idle
// one; every packet is counted once. Before, when no other packet came in
// between, the idle check ran after the look-up and ended the flow under
// its own packet: the packet was lost from the records, and a FIN pair or
// RST on the ended flow put it back on the closing list, to be ended twice.
func TestIdleFlowSeenAgain(t *testing.T) {
	const syn, ack, synack, fin, rst = netgen.SYN, netgen.ACK, netgen.SYN | netgen.ACK, netgen.FIN | netgen.ACK, netgen.RST
	type pkt struct {
		after      time.Duration // since the previous packet
		fromServer bool
		flags      uint8
	}
	for _, tc := range []struct {
		name  string
		other bool // another flow stays live, so the idle flow is not alone in its list
		pkts  []pkt
	}{
		{"fin pair after the idle time", false, []pkt{{0, false, syn}, {time.Millisecond, true, synack}, {time.Millisecond, false, ack},
			{6 * time.Minute, false, fin}, {time.Millisecond, true, fin}, {time.Millisecond, false, ack}}},
		{"rst after the idle time", false, []pkt{{0, false, syn}, {time.Millisecond, true, synack}, {time.Millisecond, false, ack},
			{6 * time.Minute, false, rst}, {time.Second, true, ack}}},
		{"fin pair after the idle time, other flows live", true, []pkt{{0, false, syn}, {time.Millisecond, true, synack}, {time.Millisecond, false, ack},
			{6 * time.Minute, false, fin}, {time.Millisecond, true, fin}, {time.Millisecond, false, ack}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, _ := netgen.NewPcapWriter(&buf, netgen.LinkEthernet, false)
			c, s := netgen.Addr("10.0.0.2"), netgen.Addr("198.51.100.80")
			now := netgen.DemoStart
			write := func(ip []byte) {
				if err := w.WritePacket(0, now, netgen.Ethernet(ip)); err != nil {
					t.Fatal(err)
				}
			}
			for i, p := range tc.pkts {
				now = now.Add(p.after)
				if tc.other && p.after > time.Minute {
					// a UDP flow seen just before keeps the open list longer than one
					write(netgen.IP(c, netgen.Addr("198.51.100.9"), 17, netgen.UDP(40000, 9999, []byte("x"))))
				}
				src, dst, sp, dp := c, s, uint16(50000), uint16(8000)
				if p.fromServer {
					src, dst, sp, dp = s, c, 8000, 50000
				}
				write(netgen.IP(src, dst, 6, netgen.TCP(sp, dp, uint32(1000+i), 1, p.flags, nil)))
			}
			w.Flush()
			res, err := Analyze(context.Background(), bytes.NewReader(buf.Bytes()), "idle", Options{})
			if err != nil {
				t.Fatal(err)
			}
			var tcp []FlowRecord
			for _, r := range res.Flows {
				if r.Proto == "tcp" {
					tcp = append(tcp, r)
				}
			}
			if len(tcp) != 2 {
				t.Fatalf("%d TCP flow records, want 2 (before and after the idle time): %+v", len(tcp), tcp)
			}
			for i, want := range []uint64{3, uint64(len(tc.pkts) - 3)} {
				if n := tcp[i].PacketsOut + tcp[i].PacketsIn; n != want {
					t.Errorf("flow record %d counts %d packets, want %d: %+v", i, n, want, tcp[i])
				}
			}
			if tcp[0].End != "idle" {
				t.Errorf("the first flow ended %q, want idle", tcp[0].End)
			}
		})
	}
}
