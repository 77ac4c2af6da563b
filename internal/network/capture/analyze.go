package capture

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

// QUICDecoder decrypts QUIC Initial packets and returns the ClientHello once
// its CRYPTO stream is complete (see internal/network/quic).
type QUICDecoder interface {
	Feed(connKey string, payload []byte) (clientHello []byte, version uint32, ok bool, err error)
}

// Options bound the pass.
type Options struct {
	MaxFlows       int           // live flows kept; the least recently seen is evicted beyond
	TCPIdle        time.Duration // idle timeout of a TCP flow (capture time)
	UDPIdle        time.Duration // idle timeout of a UDP or other flow
	MaxFlowRecords int           // individual flow records; later flows are aggregated
	MaxRecords     int           // distinct DNS/TLS/HTTP/QUIC records per kind
	MaxObserved    int           // distinct observed values per kind (domains, IPs...)
	QUIC           QUICDecoder   // nil: QUIC Initials are counted, not decoded
	// TempDir, when set, is a private folder where the pass writes the
	// evidence of what it keeps (removed before Analyze returns); empty
	// keeps it in memory.
	TempDir string
	// Keep, when set, reports whether a value matches an indicator. Past
	// MaxObserved, values are still kept when Keep says so, so no indicator
	// hit is lost to the memory bound.
	Keep func(k Kind, value string) bool
}

func (o *Options) defaults() {
	if o.MaxFlows <= 0 {
		o.MaxFlows = 16384
	}
	if o.TCPIdle <= 0 {
		o.TCPIdle = 5 * time.Minute
	}
	if o.UDPIdle <= 0 {
		o.UDPIdle = time.Minute
	}
	if o.MaxFlowRecords <= 0 {
		o.MaxFlowRecords = 5000
	}
	if o.MaxRecords <= 0 {
		o.MaxRecords = 10000
	}
	if o.MaxObserved <= 0 {
		o.MaxObserved = 20000
	}
}

// Analyze reads the capture from r (named name, for evidence) in one pass.
// A damaged file gives a partial result and an error wrapping the reader's
// sentinel (pcapfile.ErrTruncated, ErrCorrupt or ErrBadMagic).
func Analyze(ctx context.Context, r io.Reader, name string, opts Options) (*Result, error) {
	opts.defaults()
	rd, err := pcapfile.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	defer rd.Close()
	a := newAnalyzer(name, opts)
	var pkt pcapfile.Packet
	var readErr error
	for i := 0; ; i++ {
		if i&0xffff == 0 && ctx.Err() != nil {
			readErr = ctx.Err()
			break
		}
		if err := rd.Next(&pkt); err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
		a.packet(&pkt)
	}
	res := a.finish(rd.Stats.Bytes)
	res.Summary.Reader = rd.Stats
	if readErr != nil {
		res.Summary.ReadError = readErr.Error()
		return res, fmt.Errorf("%s: %w", name, readErr)
	}
	return res, nil
}

type analyzer struct {
	name  string
	opts  Options
	dec   *dissect.Decoder
	p     dissect.Packet
	flows *flowTable
	now   int64
	num   uint64

	decodeErr map[string]uint64
	dropped   map[string]uint64
	first     int64
	last      int64

	obs        [numKinds]map[string]*obsEntry
	obsIP      map[netip.Addr]*obsEntry
	ev         *evStore
	slabs      slabs
	dns        map[dnsKey]*DNSRecord
	dnsMsg     dnsScratch
	resolved   map[netip.Addr][]string // answer IP -> names (bounded)
	tls        map[tlsKey]*TLSRecord
	http       map[httpKey]*HTTPRecord
	quic       map[quicKey]*QUICRecord
	quicUndec  uint64
	flowRecs   []FlowRecord
	flowAgg    map[aggKey]*FlowRecord
	beacons    map[beaconKey]*beacon
	unresolved map[netip.Addr]*unresolvedIP
	sawDNS     bool
	findings   []Finding
	certSeen   map[string]bool
	certCache  map[[32]byte][]tlsinfo.Certificate
	fps        tlsinfo.FingerprintCache // JA3/JA4 of hellos seen before
	chain      [][]byte                 // CNAME targets of the DNS message being read

	undec         map[string]uint64 // undecodable packets per reason
	undecN        uint64
	reasons       map[uint64]string // cached reason texts per link type / EtherType
	tunnels       map[tunnelPath]uint32
	tunnelNames   []string // per tunnel ID; [0] is "no tunnel"
	recentTunnels recentHops
	partial       bool // the datagram being read is the start of an incomplete one
}

func newAnalyzer(name string, opts Options) *analyzer {
	a := &analyzer{name: name, opts: opts, dec: dissect.NewDecoder(),
		decodeErr: map[string]uint64{}, dropped: map[string]uint64{},
		obsIP: map[netip.Addr]*obsEntry{}, dns: map[dnsKey]*DNSRecord{},
		resolved: map[netip.Addr][]string{}, tls: map[tlsKey]*TLSRecord{},
		http: map[httpKey]*HTTPRecord{}, quic: map[quicKey]*QUICRecord{},
		flowAgg: map[aggKey]*FlowRecord{},
		beacons: map[beaconKey]*beacon{}, unresolved: map[netip.Addr]*unresolvedIP{},
		certSeen: map[string]bool{}, certCache: map[[32]byte][]tlsinfo.Certificate{},
		undec: map[string]uint64{}, reasons: map[uint64]string{},
		tunnels: map[tunnelPath]uint32{}, tunnelNames: []string{""}}
	for i := range a.obs {
		a.obs[i] = map[string]*obsEntry{}
	}
	a.ev = newEvStore(name, opts.TempDir)
	a.flows = newFlowTable(opts.MaxFlows, a.endFlow)
	return a
}

func (a *analyzer) packet(pkt *pcapfile.Packet) {
	a.now, a.num = pkt.Time, pkt.Number
	if a.first == 0 || a.now < a.first {
		a.first = a.now
	}
	if a.now > a.last {
		a.last = a.now
	}
	a.decoded(pkt.LinkType, a.dec.Decode(pkt.LinkType, pkt.Data, pkt.Time, &a.p))
	for a.dec.More() { // the other subframes of an 802.11 A-MSDU
		a.decoded(pkt.LinkType, a.dec.Next(&a.p))
	}
	if a.dec.Defrag.HasIncomplete() {
		a.incompleteDatagrams()
	}
}

// decoded handles the outcome of decoding one packet into a.p.
func (a *analyzer) decoded(link uint32, err error) {
	if err != nil {
		a.decodeFailed(link, err)
		return
	}
	p := &a.p
	if skipNew && p.NTunnels > 0 {
		return
	}
	tunnel := a.tunnelID(p)
	if p.Proto != dissect.ProtoTCP && p.Proto != dissect.ProtoUDP {
		a.decodeErr["other IP protocol (counted, not dissected)"]++
		return
	}
	a.transportPacket(tunnel)
}

// transportPacket runs a decoded TCP or UDP packet (a.p) through its flow.
func (a *analyzer) transportPacket(tunnel uint32) {
	p := &a.p
	// flows idle past their timeout end before the look-up: a packet of one
	// starts a new flow, as when another flow's packet ended it first
	a.flows.expire(a.now, a.opts.TCPIdle.Nanoseconds(), a.opts.UDPIdle.Nanoseconds())
	f, fromA := a.flows.get(p, tunnel, a.now, a.num)
	toServer := fromA == f.clientIsA
	f.update(p, toServer, a.now, a.num)
	if !f.closed && (f.rst || f.finDirs == 3) {
		a.flows.close(f)
	}
	if len(p.Process) > 0 && f.process == "" {
		f.process = string(p.Process)
		a.observe(KindProcess, f.process, ModFlows, "pktap process", f)
	}
	if p.Proto == dissect.ProtoUDP {
		a.udp(f, p, toServer)
	} else {
		a.tcp(f, p, toServer)
	}
}

// problem counts a decoding problem; distinct reasons are bounded.
func (a *analyzer) problem(reason string) {
	if _, ok := a.decodeErr[reason]; !ok && len(a.decodeErr) >= 64 {
		reason = "other decoding problems"
	}
	a.decodeErr[reason]++
}

func (a *analyzer) evidence(f *flow) Evidence {
	return Evidence{File: a.name, Flow: f.String(), CommunityID: f.communityID(),
		FirstPacket: ts(f.first), LastPacket: ts(f.last), PacketNumber: a.num, Process: f.process,
		Tunnel: a.tunnelOf(f)}
}

func ts(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// slabs hold the entries of the tables (see slab).
type slabs struct {
	obs        slab[obsEntry]
	dns        slab[DNSRecord]
	tls        slab[TLSRecord]
	http       slab[HTTPRecord]
	quic       slab[QUICRecord]
	agg        slab[FlowRecord]
	beacon     slab[beacon]
	unresolved slab[unresolvedIP]
}

// obsEntry is an observed value while the pass runs: its counters in
// memory, its evidence in the evidence store; finish builds its
// Observation.
type obsEntry struct {
	first, last int64 // capture times (ns; 0 is the zero time, as in ts)
	count       int
	ev          evRef
	module      string
	sources     []string
	related     []string
	kind        Kind
	noFlow      bool // the evidence names no flow (seen outside one)
}

// observation builds the Observation of e (after a.ev.load).
func (a *analyzer) observation(e *obsEntry, value string) Observation {
	return Observation{Kind: e.kind, Value: value, Module: e.module, Sources: e.sources, First: ts(e.first),
		Last: ts(e.last), Count: e.count, Evidence: a.ev.get(e.ev), Related: e.related}
}

// newObs starts the entry of a value first seen now, in flow f (nil: outside
// a flow).
func (a *analyzer) newObs(k Kind, module string, f *flow) *obsEntry {
	o := a.slabs.obs.alloc(obsEntry{kind: k, module: module, first: a.now, noFlow: f == nil})
	if f != nil {
		ev := a.evidence(f)
		o.ev = a.ev.put(&ev)
	} else {
		o.ev = a.ev.put(&Evidence{File: a.name, PacketNumber: a.num})
	}
	return o
}

// seen counts one more sighting of o, now, by source.
func (a *analyzer) seen(o *obsEntry, source string) {
	o.count++
	o.last = a.now
	if len(o.sources) < 8 && !contains(o.sources, source) {
		o.sources = append(o.sources, source)
	}
}

// observe records one sighting of a value; the first source owns its check.
func (a *analyzer) observe(k Kind, v string, module, source string, f *flow) *obsEntry {
	m := a.obs[k]
	o := m[v]
	if o == nil {
		if len(m) >= a.opts.MaxObserved && (a.opts.Keep == nil || !a.opts.Keep(k, v)) {
			a.dropped["observed values past the bound (no indicator hit)"]++
			return nil
		}
		o = a.newObs(k, module, f)
		m[v] = o
	}
	a.seen(o, source)
	return o
}

// observeBytes is observe for a name held in a scratch buffer: it converts
// the name to a string only when it is new.
func (a *analyzer) observeBytes(k Kind, v []byte, module, source string, f *flow) *obsEntry {
	if o := a.obs[k][string(v)]; o != nil {
		a.seen(o, source)
		return o
	}
	return a.observe(k, string(v), module, source, f)
}

func (a *analyzer) observeIP(ip netip.Addr, source string, f *flow) {
	if !publicIP(ip) {
		return
	}
	o := a.obsIP[ip]
	if o == nil {
		if len(a.obsIP) >= a.opts.MaxObserved && !a.keepIP(ip) {
			a.dropped["observed addresses past the bound (no indicator hit)"]++
			return
		}
		o = a.newObs(KindIP, ModFlows, f)
		a.obsIP[ip] = o
	}
	a.seen(o, source)
}

// keepIP reports whether an address past the bounds must still be kept: it
// matches an indicator, or was resolved from a name that does.
func (a *analyzer) keepIP(ip netip.Addr) bool {
	if a.opts.Keep == nil {
		return false
	}
	if a.opts.Keep(KindIP, ip.String()) {
		return true
	}
	for _, n := range a.resolved[ip] {
		if a.opts.Keep(KindDomain, n) {
			return true
		}
	}
	return false
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// publicIP reports whether an address is worth checking (not private,
// loopback, link-local, multicast or unspecified).
func publicIP(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() &&
		!ip.IsMulticast() && !ip.IsUnspecified() && !ip.IsLinkLocalMulticast() &&
		!(ip.Is4() && ip.As4()[0] == 100 && ip.As4()[1]&0xc0 == 64) && // CGNAT
		!(ip.Is4() && ip.As4() == [4]byte{255, 255, 255, 255})
}
