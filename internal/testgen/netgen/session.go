package netgen

import (
	"net/netip"
	"time"
)

// Gen writes conversations into a capture with a running clock.
type Gen struct {
	W     PacketWriter
	Iface int
	Link  Link
	Now   time.Time
	Step  time.Duration // between packets
	MSS   int           // TCP segment size (default 1400)
	Err   error
}

func (g *Gen) put(ip []byte) {
	if g.Err != nil {
		return
	}
	link := g.Link
	if link == nil {
		link = Ethernet
	}
	g.Err = g.W.WritePacket(g.Iface, g.Now, link(ip))
	step := g.Step
	if step == 0 {
		step = time.Millisecond
	}
	g.Now = g.Now.Add(step)
}

// UDP writes one datagram.
func (g *Gen) UDP(src, dst netip.Addr, sport, dport uint16, payload []byte) {
	g.put(IP(src, dst, 17, UDP(sport, dport, payload)))
}

// DNS writes a query and its response.
func (g *Gen) DNS(client, server netip.Addr, sport uint16, id uint16, name string, cnames []string, addrs ...netip.Addr) {
	qt := uint16(TypeA)
	if len(addrs) > 0 && addrs[0].Is6() {
		qt = TypeAAAA
	}
	g.UDP(client, server, sport, 53, DNSQuery(id, name, qt))
	g.UDP(server, client, 53, sport, DNSResponse(id, name, qt, cnames, addrs))
}

// TCP writes a whole TCP session: handshake, the client's data, the
// server's data (each split into MSS segments), and FIN.
func (g *Gen) TCP(client, server netip.Addr, cport, sport uint16, clientData, serverData []byte) {
	cseq, sseq := uint32(1000), uint32(5000)
	g.put(IP(client, server, 6, TCP(cport, sport, cseq, 0, SYN, nil)))
	g.put(IP(server, client, 6, TCP(sport, cport, sseq, cseq+1, SYN|ACK, nil)))
	cseq++
	sseq++
	g.put(IP(client, server, 6, TCP(cport, sport, cseq, sseq, ACK, nil)))
	cseq = g.segments(client, server, cport, sport, cseq, sseq, clientData)
	sseq = g.segments(server, client, sport, cport, sseq, cseq, serverData)
	g.put(IP(client, server, 6, TCP(cport, sport, cseq, sseq, FIN|ACK, nil)))
	g.put(IP(server, client, 6, TCP(sport, cport, sseq, cseq+1, FIN|ACK, nil)))
}

// TCPExchange writes a TCP session in three turns: the client's data, the
// server's reply, then the client's second flight (each split into MSS
// segments), and FIN.
func (g *Gen) TCPExchange(client, server netip.Addr, cport, sport uint16, client1, server1, client2 []byte) {
	g.TCPTurns(client, server, cport, sport, C(client1), S(server1), C(client2))
}

func (g *Gen) segments(src, dst netip.Addr, sp, dp uint16, seq, ack uint32, data []byte) uint32 {
	mss := g.MSS
	if mss <= 0 {
		mss = 1400
	}
	for len(data) > 0 {
		n := min(mss, len(data))
		g.put(IP(src, dst, 6, TCP(sp, dp, seq, ack, PSH|ACK, data[:n])))
		seq += uint32(n)
		data = data[n:]
	}
	return seq
}

// Addr parses an address (for static inputs).
func Addr(s string) netip.Addr { return netip.MustParseAddr(s) }
