package capture

import (
	"net/netip"

	"github.com/spyscan/spyscan/internal/network/dissect"
)

// App protocols recognised on a flow.
const (
	appUnknown uint8 = iota
	appTLS
	appHTTP
	appDNS
	appQUIC
	appNone // inspected, nothing recognised
)

var appNames = [...]string{"", "tls", "http", "dns", "quic", ""}

type flow struct {
	key               dissect.FlowKey
	clientIsA         bool
	first, last       int64
	firstPkt          uint64
	pkts, bytes       [2]uint64 // [0] client->server, [1] server->client
	sawSYN, fin, rst  bool
	cid               string
	app               uint8
	inspected         [2]bool
	cs, ss            *dissect.Stream
	csOff             int // bytes of cs already consumed (HTTP, DNS/TCP)
	ssOff             int
	tlsDone, certDone bool
	httpReqs          int
	serverName        string
	tlsRec            *TLSRecord
	process           string
	prev, next        *flow // LRU list, least recently seen first
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
		}
		if p.TCPFlags&dissect.FlagRST != 0 {
			f.rst = true
		}
	}
}

// wellKnown reports whether a port is likely a server port.
func wellKnown(p uint16) bool { return p < 1024 || p == 8080 || p == 8443 || p == 5223 || p == 5228 }

type flowTable struct {
	m          map[dissect.FlowKey]*flow
	head, tail *flow
	max        int
	maxLive    int
	onEnd      func(f *flow, why string)
	total      uint64
}

func newFlowTable(max int, onEnd func(*flow, string)) *flowTable {
	return &flowTable{m: make(map[dissect.FlowKey]*flow, 1024), max: max, onEnd: onEnd}
}

// get finds or creates the flow of p and moves it to the back of the LRU.
func (t *flowTable) get(p *dissect.Packet, now int64, num uint64) (*flow, bool) {
	k, fromA := dissect.KeyOf(p)
	f := t.m[k]
	if f == nil {
		if len(t.m) >= t.max {
			t.evict(t.head, "capacity")
		}
		f = &flow{key: k, first: now, last: now, firstPkt: num}
		// the sender of the first packet is the client, unless it is a
		// SYN-ACK or comes from a well-known port to an ephemeral one
		srcIsClient := true
		if p.Proto == dissect.ProtoTCP && p.TCPFlags&(dissect.FlagSYN|dissect.FlagACK) == dissect.FlagSYN|dissect.FlagACK {
			srcIsClient = false
		} else if p.TCPFlags&dissect.FlagSYN == 0 && wellKnown(p.SrcPort) && !wellKnown(p.DstPort) {
			srcIsClient = false
		}
		f.clientIsA = fromA == srcIsClient
		t.m[k] = f
		t.total++
		if len(t.m) > t.maxLive {
			t.maxLive = len(t.m)
		}
		t.pushBack(f)
		return f, fromA
	}
	if t.tail != f {
		t.unlink(f)
		t.pushBack(f)
	}
	return f, fromA
}

func (t *flowTable) pushBack(f *flow) {
	f.prev, f.next = t.tail, nil
	if t.tail != nil {
		t.tail.next = f
	} else {
		t.head = f
	}
	t.tail = f
}

func (t *flowTable) unlink(f *flow) {
	if f.prev != nil {
		f.prev.next = f.next
	} else {
		t.head = f.next
	}
	if f.next != nil {
		f.next.prev = f.prev
	} else {
		t.tail = f.prev
	}
	f.prev, f.next = nil, nil
}

func (t *flowTable) evict(f *flow, why string) {
	if f == nil {
		return
	}
	t.unlink(f)
	delete(t.m, f.key)
	t.onEnd(f, why)
}

// expire ends flows idle for longer than their timeout (a few per call).
func (t *flowTable) expire(now, tcpIdle, udpIdle int64) {
	for i := 0; i < 4 && t.head != nil; i++ {
		f := t.head
		idle := udpIdle
		if f.key.Proto == dissect.ProtoTCP {
			idle = tcpIdle
		}
		if now-f.last <= idle {
			return
		}
		why := "idle"
		if f.rst {
			why = "rst"
		} else if f.fin {
			why = "fin"
		}
		t.evict(f, why)
	}
}

// drain ends every remaining flow, oldest first.
func (t *flowTable) drain() {
	for t.head != nil {
		why := "end-of-capture"
		if t.head.rst {
			why = "rst"
		} else if t.head.fin {
			why = "fin"
		}
		t.evict(t.head, why)
	}
}
