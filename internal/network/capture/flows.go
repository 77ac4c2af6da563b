package capture

import (
	"net/netip"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/h2c"
	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

// App protocols recognised on a flow.
const (
	appUnknown uint8 = iota
	appTLS
	appHTTP
	appDNS
	appQUIC
	appNone     // inspected, nothing recognised
	appPreamble // another protocol first, maybe TLS after it (see flow.pre)
	appProxy    // a HAProxy PROXY header first, then another protocol
	appSearch   // nothing recognised yet: the first segments are searched for TLS
	appOpenVPN  // OpenVPN: TLS inside its control channel (see flow.ovpn)
	appH2C      // clear-text HTTP/2 with prior knowledge (see flow.h2)
	appRDPUDP   // RDP's UDP transport: its ClientHello is read
)

var appNames = [...]string{"", "tls", "http", "dns", "quic", "", "", "", "", "openvpn", "http2", "rdp-udp"}

// appName names what a flow carried: its protocol, or "tls" once TLS
// started after a preamble (the preamble is named apart).
func (f *flow) appName() string {
	if f.app == appPreamble && f.pre != nil {
		if f.tlsStarted[0] || f.tlsStarted[1] {
			return "tls"
		}
		return f.pre.proto
	}
	return appNames[f.app]
}

type flow struct {
	key              dissect.FlowKey
	clientIsA        bool
	first, last      int64
	firstPkt         uint64
	pkts, bytes      [2]uint64 // [0] client->server, [1] server->client
	sawSYN, fin, rst bool
	finDirs          uint8 // bit 0: client sent FIN, bit 1: server sent FIN
	closed           bool  // both FINs or a RST: on the closing list
	cid              string
	app              uint8
	inspected        [2]bool
	cs, ss           *dissect.Stream
	serverDone       bool     // the server direction holds nothing more to read
	tlsStarted       [2]bool  // TLS records start the client [0] / server [1] stream
	searched         [2]uint8 // segments searched for TLS per direction (appSearch)
	pre              *preState
	ovpn             *ovpnState      // OpenVPN's control channel (appOpenVPN)
	h2               *[2]*h2c.Reader // clear HTTP/2 readers, client and server (appH2C)
	tlsC, tlsS       *tlsinfo.Reader
	tlsBytes         [2]int // TLS bytes read per direction (bounded)
	hellos           uint8  // ClientHellos fingerprinted on this connection
	retry            bool   // the server sent a HelloRetryRequest
	httpReqs         int
	serverName       string
	tlsRec           *TLSRecord
	quicVer, quicErr string
	quicDone         bool     // a ClientHello was read
	quicVN           bool     // the server sent a version negotiation packet
	quicVers         []uint32 // versions of the client's Initials (bounded)
	quicRec          *QUICRecord
	process          string
	prev, next       *flow // LRU list, least recently seen first
}

func (f *flow) client() (netip.Addr, uint16) {
	if f.clientIsA {
		return f.key.A, f.key.APort
	}
	return f.key.B, f.key.BPort
}

func (f *flow) server() (netip.Addr, uint16) {
	if f.clientIsA {
		return f.key.B, f.key.BPort
	}
	return f.key.A, f.key.APort
}

func (f *flow) String() string {
	ca, cp := f.client()
	sa, sp := f.server()
	return dissect.ProtoName(f.key.Proto) + " " + dissect.Endpoint(ca, cp) + " -> " + dissect.Endpoint(sa, sp)
}

func (f *flow) communityID() string {
	if f.cid == "" {
		f.cid = dissect.CommunityID(f.key.A, f.key.B, f.key.APort, f.key.BPort, f.key.Proto)
	}
	return f.cid
}

func (f *flow) update(p *dissect.Packet, toServer bool, now int64, num uint64) {
	d := 1
	if toServer {
		d = 0
	}
	f.pkts[d]++
	f.bytes[d] += uint64(p.IPLen)
	f.last = now
	if p.Proto == dissect.ProtoTCP {
		if p.TCPFlags&dissect.FlagSYN != 0 && p.TCPFlags&dissect.FlagACK == 0 {
			f.sawSYN = true
		}
		if p.TCPFlags&dissect.FlagFIN != 0 {
			f.fin = true
			f.finDirs |= 1 << d
		}
		if p.TCPFlags&dissect.FlagRST != 0 {
			f.rst = true
		}
	}
}

// wellKnown reports whether a port is likely a server port.
func wellKnown(p uint16) bool { return p < 1024 || p == 8080 || p == 8443 || p == 5223 || p == 5228 }

type lru struct{ head, tail *flow }

// flowTable holds the live flows in two LRU lists: open flows, and closed
// ones (both FINs or a RST) that linger briefly for their last packets.
type flowTable struct {
	m       map[tableKey]*flow
	lists   [2]lru // [0] open, [1] closed
	max     int
	maxLive int
	onEnd   func(f *flow, why string)
	total   uint64
	last    *flow   // the flow of the previous packet (nil once it ended)
	free    []*flow // ended flows, zeroed, for get to reuse (at most maxFreeFlows)
	drained bool    // the capture ended: ended flows are not kept for reuse
}

// maxFreeFlows bounds the ended flows kept for reuse (1.5 MiB of them).
// Flows end in bursts (a jump in capture time idles thousands at once) and
// start again as fast: the pass of real-1G (249,000 flows) allocated 187,
// 121, 89 and 70 MB in all with bounds of 64, 256, 1,024 and 4,096.
const maxFreeFlows = 4096

// tableKey is a flow key packed without pointers (netip.Addr holds one):
// the map hashes and compares it as one block of memory. bits tells an
// IPv4 address from the same address mapped into IPv6, as netip.Addr does;
// decoded packets carry no IPv6 zone.
type tableKey struct {
	a, b         [16]byte
	aPort, bPort uint16
	proto        uint8
	bits         uint8 // bit 0: A is IPv4, bit 1: B is IPv4
	tunnel       uint32
}

func packKey(k *dissect.FlowKey) tableKey {
	t := tableKey{a: k.A.As16(), b: k.B.As16(), aPort: k.APort, bPort: k.BPort, proto: k.Proto, tunnel: k.Tunnel}
	if k.A.Is4() {
		t.bits |= 1
	}
	if k.B.Is4() {
		t.bits |= 2
	}
	return t
}

// carries reports whether p (through tunnel) belongs to flow key k, and
// whether it goes from A to B, as KeyOf(p) == k would with KeyOf's fromA,
// without building p's key: the previous packet's flow is tried first.
// k is canonical (KeyOf's), so p matches it in at most one direction,
// or in both when its two endpoints are the same, where KeyOf says A to B.
func carries(k *dissect.FlowKey, p *dissect.Packet, tunnel uint32) (fromA, ok bool) {
	if k.Proto != p.Proto || k.Tunnel != tunnel {
		return false, false
	}
	if k.A == p.Src && k.B == p.Dst && k.APort == p.SrcPort && k.BPort == p.DstPort {
		return true, true
	}
	if k.A == p.Dst && k.B == p.Src && k.APort == p.DstPort && k.BPort == p.SrcPort {
		return false, true
	}
	return false, false
}

func newFlowTable(max int, onEnd func(*flow, string)) *flowTable {
	return &flowTable{m: make(map[tableKey]*flow, 1024), max: max, onEnd: onEnd}
}

// get finds or creates the flow of p and moves it to the back of the LRU.
// Consecutive packets of one flow (a burst, a transfer) skip the map.
func (t *flowTable) get(p *dissect.Packet, tunnel uint32, now int64, num uint64) (*flow, bool) {
	if f := t.last; f != nil {
		if fromA, ok := carries(&f.key, p, tunnel); ok {
			if t.list(f).tail != f {
				t.unlink(f)
				t.pushBack(f)
			}
			return f, fromA
		}
	}
	k, fromA := dissect.KeyOf(p)
	k.Tunnel = tunnel
	pk := packKey(&k)
	f := t.m[pk]
	if f == nil {
		if len(t.m) >= t.max {
			victim := t.lists[1].head
			if victim == nil {
				victim = t.lists[0].head
			}
			t.evict(victim, "capacity")
		}
		f = t.newFlow()
		f.key, f.first, f.last, f.firstPkt = k, now, now, num
		// the sender of the first packet is the client, unless it is a
		// SYN-ACK or comes from a well-known port to an ephemeral one
		srcIsClient := true
		if p.Proto == dissect.ProtoTCP && p.TCPFlags&(dissect.FlagSYN|dissect.FlagACK) == dissect.FlagSYN|dissect.FlagACK {
			srcIsClient = false
		} else if p.TCPFlags&dissect.FlagSYN == 0 && wellKnown(p.SrcPort) && !wellKnown(p.DstPort) {
			srcIsClient = false
		}
		f.clientIsA = fromA == srcIsClient
		t.m[pk] = f
		t.last = f
		t.total++
		if len(t.m) > t.maxLive {
			t.maxLive = len(t.m)
		}
		t.pushBack(f)
		return f, fromA
	}
	t.last = f
	if t.list(f).tail != f {
		t.unlink(f)
		t.pushBack(f)
	}
	return f, fromA
}

func (t *flowTable) list(f *flow) *lru {
	if f.closed {
		return &t.lists[1]
	}
	return &t.lists[0]
}

// close moves a flow to the closing list.
func (t *flowTable) close(f *flow) {
	if f.closed {
		return
	}
	t.unlink(f)
	f.closed = true
	t.pushBack(f)
}

func (t *flowTable) pushBack(f *flow) {
	l := t.list(f)
	f.prev, f.next = l.tail, nil
	if l.tail != nil {
		l.tail.next = f
	} else {
		l.head = f
	}
	l.tail = f
}

func (t *flowTable) unlink(f *flow) {
	l := t.list(f)
	if f.prev != nil {
		f.prev.next = f.next
	} else {
		l.head = f.next
	}
	if f.next != nil {
		f.next.prev = f.prev
	} else {
		l.tail = f.prev
	}
	f.prev, f.next = nil, nil
}

func (t *flowTable) evict(f *flow, why string) {
	if f == nil {
		return
	}
	t.unlink(f)
	delete(t.m, packKey(&f.key))
	if t.last == f {
		t.last = nil
	}
	t.onEnd(f, why)
	// nothing holds an ended flow (expire runs before the packet's look-up,
	// and a capacity eviction before a new flow is made), so it is reused
	if !t.drained && len(t.free) < maxFreeFlows {
		*f = flow{}
		t.free = append(t.free, f)
	}
}

// newFlow returns a zeroed flow: an ended one, or a new one.
func (t *flowTable) newFlow() *flow {
	if n := len(t.free); n > 0 {
		f := t.free[n-1]
		t.free = t.free[:n-1]
		return f
	}
	return &flow{}
}

// closedLinger is how long a closed TCP flow waits for its last packets.
const closedLinger = 2e9

// expire ends flows idle for longer than their timeout (a few per call).
func (t *flowTable) expire(now, tcpIdle, udpIdle int64) {
	for i := 0; i < 4; i++ {
		f := t.lists[1].head
		if f == nil || now-f.last <= closedLinger {
			break
		}
		t.evict(f, endReason(f, "closed"))
	}
	for i := 0; i < 4 && t.lists[0].head != nil; i++ {
		f := t.lists[0].head
		idle := udpIdle
		if f.key.Proto == dissect.ProtoTCP {
			idle = tcpIdle
		}
		if now-f.last <= idle {
			return
		}
		t.evict(f, endReason(f, "idle"))
	}
}

func endReason(f *flow, def string) string {
	switch {
	case f.rst:
		return "rst"
	case f.finDirs == 3:
		return "fin"
	}
	return def
}

// drain ends every remaining flow, oldest first.
func (t *flowTable) drain() {
	t.drained, t.free = true, nil
	for _, l := range []*lru{&t.lists[1], &t.lists[0]} {
		for l.head != nil {
			t.evict(l.head, endReason(l.head, "end-of-capture"))
		}
	}
}
