package capture

import (
	"cmp"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/reputation"
	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

// Heuristic bounds: at most this many alerts per rule, the rest summarised.
const maxFindingsPerRule = 50

var standardTLS = map[uint16]bool{443: true, 8443: true, 853: true, 993: true, 995: true, 465: true,
	636: true, 989: true, 990: true, 992: true, 994: true, 5223: true, 5228: true, 5061: true,
	6697: true, 8883: true, 4443: true, 9443: true, 10443: true, 3269: true, 5349: true}

func standardTLSPort(p uint16) bool { return standardTLS[p] }

// add keeps a finding, with the English of its messages.
func (a *analyzer) add(f Finding) {
	f.Message, f.Reason, f.Benign = i18n.English(f.MessageMsg), i18n.English(f.ReasonMsg), i18n.English(f.BenignMsg)
	a.findings = append(a.findings, f)
}

func (a *analyzer) tlsOddPort(f *flow, rec *TLSRecord, port uint16) {
	key := fmt.Sprintf("tls-port %s", rec.Server)
	if a.certSeen[key] {
		return
	}
	a.certSeen[key] = true
	a.add(Finding{Module: ModTLS, Level: "LOW", Time: ts(a.now),
		MessageMsg: i18n.M("net.tls_port.title", "port", int(port), "server", rec.Server, "sni", rec.SNI),
		ReasonMsg:  i18n.M("net.tls_port.reason"), BenignMsg: i18n.M("net.tls_port.benign"),
		Evidence: map[string]any{"sni": rec.SNI, "server": rec.Server, "ja4": rec.JA4,
			"evidence": a.evidence(f)}})
}

func (a *analyzer) leafHeuristics(f *flow, c tlsinfo.Certificate) {
	if a.certSeen[c.SHA256] {
		return
	}
	a.certSeen[c.SHA256] = true
	ev := map[string]any{"sni": f.serverName, "subject": c.Subject, "issuer": c.Issuer,
		"sha1": c.SHA1, "sha256": c.SHA256, "sans": c.SANs, "evidence": a.evidence(f)}
	if c.SelfSigned {
		a.add(Finding{Module: ModTLS, Level: "MEDIUM", Time: ts(a.now),
			MessageMsg: i18n.M("net.self_signed.title", "subject", c.Subject, "flow", f.String()),
			ReasonMsg:  i18n.M("net.self_signed.reason"), BenignMsg: i18n.M("net.self_signed.benign"),
			Evidence: ev})
		return
	}
	if ca, ok := reputation.FreeCertIssuer(c.Issuer); ok {
		a.add(Finding{Module: ModTLS, Level: "LOW", Time: ts(a.now),
			MessageMsg: i18n.M("net.free_cert.title", "ca", ca, "subject", c.Subject),
			ReasonMsg:  i18n.M("net.free_cert.reason"), BenignMsg: i18n.M("net.free_cert.benign"),
			Evidence: ev})
	}
}

type aggKey struct {
	client, server netip.Addr
	port           uint16
	proto          uint8
}

// beaconKey is a client, a destination and a port. The destination is the
// server's name, or its address when it has none: kept as the address (no
// string built per ended flow), and a name that is an address's own text is
// kept as that address, so the key is the same as for the text.
type beaconKey struct {
	client netip.Addr
	name   string
	addr   netip.Addr
	port   uint16
	proto  uint8
}

func newBeaconKey(client netip.Addr, serverName string, server netip.Addr, port uint16, proto uint8) beaconKey {
	k := beaconKey{client: client, port: port, proto: proto}
	if serverName == "" {
		k.addr = server
	} else if ip, isIP := dissect.ParseAddr(serverName); isIP && ip.String() == serverName {
		k.addr = ip
	} else {
		k.name = serverName
	}
	return k
}

// dest is the destination as the findings name it.
func (k *beaconKey) dest() string {
	if k.name != "" {
		return k.name
	}
	return k.addr.String()
}

type beacon struct {
	starts []int64
	n      int
	ev     evRef
}

type unresolvedIP struct {
	flows int
	ev    evRef
	port  uint16
	first int64
}

const maxBeaconStarts = 128

// endFlow summarises a flow leaving the table. Most flows of a large
// capture end past the flow-record bound, are aggregated, and name only
// addresses already observed: their strings (endpoints, flow name,
// Community ID) are built only when a record, an observation or a
// heuristic keeps them (flowEnd).
func (a *analyzer) endFlow(f *flow, why string) {
	ca, _ := f.client()
	sa, sp := f.server()
	if f.serverName == "" {
		if names := a.resolved[sa]; len(names) > 0 {
			f.serverName = names[0]
		}
	}
	e := flowEnd{a: a, f: f, why: why, first: ts(f.first), last: ts(f.last)}
	if len(a.flowRecs) < a.opts.MaxFlowRecords {
		rec := e.record()
		rec.CommunityID = e.evidence().CommunityID
		a.flowRecs = append(a.flowRecs, rec)
	} else {
		a.aggregate(&e, aggKey{ca, sa, sp, f.key.Proto})
	}
	if f.app == appQUIC && !f.quicDone {
		a.quicUndecoded(f)
	}
	if f.tlsS != nil && !f.tlsS.Done() {
		a.tlsCut(f)
	}
	a.observeFlowIPs(ca, sa, &e)
	a.trackBeacon(f, ca, sa, sp, &e)
	a.trackUnresolved(f, sa, sp, &e)
}

// flowEnd is a flow leaving the table, with its record and evidence built
// on first use.
type flowEnd struct {
	a           *analyzer
	f           *flow
	why         string
	first, last time.Time
	ev          Evidence
	evBuilt     bool
	ref         evRef // ev in the evidence store (0: not stored yet)
}

// record is the flow's record, without its Community ID.
func (e *flowEnd) record() FlowRecord {
	f := e.f
	ca, cp := f.client()
	sa, sp := f.server()
	rec := FlowRecord{Proto: dissect.ProtoName(f.key.Proto), Client: dissect.Endpoint(ca, cp),
		Server: dissect.Endpoint(sa, sp), ServerName: f.serverName, App: f.appName(),
		First: e.first, Last: e.last, FirstPacket: f.firstPkt,
		PacketsOut: f.pkts[0], PacketsIn: f.pkts[1], BytesOut: f.bytes[0], BytesIn: f.bytes[1],
		Process: f.process, Tunnel: e.a.tunnelOf(f), SawStart: f.sawSYN, End: e.why, Flows: 1}
	if f.pre != nil {
		rec.Preamble, rec.ProxiedConnection = f.pre.desc, f.pre.proxied
	}
	return rec
}

// evidence is the flow's evidence (built once).
func (e *flowEnd) evidence() Evidence {
	if !e.evBuilt {
		f := e.f
		e.ev = Evidence{File: e.a.name, Flow: f.String(), CommunityID: f.communityID(), FirstPacket: e.first,
			LastPacket: e.last, PacketNumber: f.firstPkt, Process: f.process, Tunnel: e.a.tunnelOf(f)}
		e.evBuilt = true
	}
	return e.ev
}

// stored is the flow's evidence in the evidence store (stored once).
func (e *flowEnd) stored() evRef {
	if e.ref == 0 {
		ev := e.evidence()
		e.ref = e.a.ev.put(&ev)
	}
	return e.ref
}

func (a *analyzer) aggregate(e *flowEnd, k aggKey) {
	g := a.flowAgg[k]
	if g == nil {
		if len(a.flowAgg) >= a.opts.MaxFlowRecords {
			a.dropped["flow summaries beyond both caps (counted only)"]++
			return
		}
		rec := e.record()
		rec.End, rec.Client = "", k.client.String()
		a.flowAgg[k] = a.slabs.agg.alloc(rec)
		a.dropped["flows aggregated by client/server/port"]++
		return
	}
	a.dropped["flows aggregated by client/server/port"]++
	f := e.f
	g.Flows++
	g.PacketsOut += f.pkts[0]
	g.PacketsIn += f.pkts[1]
	g.BytesOut += f.bytes[0]
	g.BytesIn += f.bytes[1]
	if e.first.Before(g.First) {
		g.First = e.first
	}
	if e.last.After(g.Last) {
		g.Last = e.last
	}
}

func (a *analyzer) observeFlowIPs(ca, sa netip.Addr, e *flowEnd) {
	for _, ip := range [2]netip.Addr{sa, ca} {
		if !publicIP(ip) {
			continue
		}
		o := a.obsIP[ip]
		if o == nil {
			if len(a.obsIP) >= a.opts.MaxObserved && !a.keepIP(ip) {
				a.dropped["observed addresses past the bound (no indicator hit)"]++
				continue
			}
			o = a.slabs.obs.alloc(obsEntry{kind: KindIP, module: ModFlows, first: e.f.first, ev: e.stored()})
			a.obsIP[ip] = o
		}
		o.count++
		if after(e.f.last, o.last) {
			o.last = e.f.last
		}
		if before(e.f.first, o.first) {
			o.first = e.f.first
		}
		if !contains(o.sources, "flow endpoint") {
			o.sources = append(o.sources, "flow endpoint")
		}
		if o.noFlow {
			o.ev, o.noFlow = e.stored(), false
		}
	}
}

// before compares capture times as ts does: 0 is the zero time, before
// any other.
func before(x, y int64) bool {
	if x == 0 || y == 0 {
		return x == 0 && y != 0
	}
	return x < y
}

func after(x, y int64) bool { return before(y, x) }

func (a *analyzer) trackBeacon(f *flow, ca, sa netip.Addr, sp uint16, e *flowEnd) {
	if f.key.Proto == dissect.ProtoTCP && !f.sawSYN {
		return
	}
	if f.app == appDNS {
		return
	}
	k := newBeaconKey(ca, f.serverName, sa, sp, f.key.Proto)
	b := a.beacons[k]
	if b == nil {
		if len(a.beacons) >= a.opts.MaxRecords/2 {
			return
		}
		b = a.slabs.beacon.alloc(beacon{ev: e.stored()})
		a.beacons[k] = b
	}
	b.n++
	if len(b.starts) < maxBeaconStarts {
		b.starts = append(b.starts, f.first)
	}
}

var ignoredUDP = map[uint16]bool{53: true, 67: true, 68: true, 123: true, 137: true, 138: true,
	1900: true, 5353: true, 5355: true, 3702: true}

func (a *analyzer) trackUnresolved(f *flow, sa netip.Addr, sp uint16, e *flowEnd) {
	if !publicIP(sa) || f.app == appDNS {
		return
	}
	if f.key.Proto == dissect.ProtoTCP && !f.sawSYN {
		return // started before the capture: its DNS query may predate it too
	}
	if f.key.Proto == dissect.ProtoUDP && ignoredUDP[sp] {
		return
	}
	if f.key.Proto != dissect.ProtoTCP && f.key.Proto != dissect.ProtoUDP {
		return
	}
	u := a.unresolved[sa]
	if u == nil {
		if len(a.unresolved) >= a.opts.MaxRecords {
			return
		}
		u = a.slabs.unresolved.alloc(unresolvedIP{ev: e.stored(), port: sp, first: f.first})
		a.unresolved[sa] = u
	}
	u.flows++
}

// finishHeuristics evaluates the whole-capture rules.
func (a *analyzer) finishHeuristics() {
	a.unresolvedFindings()
	a.beaconFindings()
	a.domainFindings()
	a.httpFindings()
}

func (a *analyzer) unresolvedFindings() {
	if !a.sawDNS {
		return // no DNS in the capture at all: the rule would flag everything
	}
	ips := make([]netip.Addr, 0, len(a.unresolved))
	for ip := range a.unresolved {
		if _, ok := a.resolved[ip]; !ok {
			ips = append(ips, ip)
		}
	}
	slices.SortFunc(ips, func(x, y netip.Addr) int { return x.Compare(y) })
	for i, ip := range ips {
		u := a.unresolved[ip]
		if i == maxFindingsPerRule {
			a.add(Finding{Module: ModFlows, Level: "LOW",
				MessageMsg: i18n.M("net.unresolved.more", "n", len(ips)-i),
				ReasonMsg:  i18n.M("net.see_rule"), BenignMsg: i18n.M("net.see_rule")})
			break
		}
		a.add(Finding{Module: ModFlows, Level: "LOW", Time: ts(u.first),
			MessageMsg: i18n.M("net.unresolved.title", "ip", ip.String(), "port", int(u.port), "flows", i18n.M("net.n_flows", "n", u.flows)),
			ReasonMsg:  i18n.M("net.unresolved.reason"), BenignMsg: i18n.M("net.unresolved.benign"),
			Evidence: map[string]any{"ip": ip.String(), "flows": u.flows, "evidence": a.ev.get(u.ev)}})
	}
}

// beaconFindings flags destinations contacted at a regular interval.
func (a *analyzer) beaconFindings() {
	type hit struct {
		k      beaconKey
		period float64
		b      *beacon
	}
	var hits []hit
	for k, b := range a.beacons {
		if p, ok := periodic(b.starts); ok {
			hits = append(hits, hit{k, p, b})
		}
	}
	slices.SortFunc(hits, func(x, y hit) int {
		return strings.Compare(x.k.client.String()+x.k.dest()+fmt.Sprint(x.k.port), y.k.client.String()+y.k.dest()+fmt.Sprint(y.k.port))
	})
	for i, h := range hits {
		if i == maxFindingsPerRule {
			break
		}
		a.add(Finding{Module: ModFlows, Level: "MEDIUM", Time: ts(h.b.starts[0]),
			MessageMsg: i18n.M("net.beacon.title", "client", h.k.client.String(), "dest", h.k.dest(), "port", int(h.k.port),
				"period", strconv.FormatFloat(h.period, 'f', 0, 64), "connections", i18n.M("net.n_connections", "n", h.b.n)),
			ReasonMsg: i18n.M("net.beacon.reason"), BenignMsg: i18n.M("net.beacon.benign"),
			Evidence: map[string]any{"client": h.k.client.String(), "destination": h.k.dest(), "port": h.k.port,
				"period_seconds": math.Round(h.period*10) / 10, "connections": h.b.n, "evidence": a.ev.get(h.b.ev)}})
	}
}

// periodic reports whether connection start times are regular: at least 6
// connections, a median interval of at least 10 s, and 80% of the intervals
// within 10% (or 2 s) of the median.
func periodic(starts []int64) (float64, bool) {
	if len(starts) < 6 {
		return 0, false
	}
	s := slices.Clone(starts)
	slices.Sort(s)
	iv := make([]float64, 0, len(s)-1)
	for i := 1; i < len(s); i++ {
		iv = append(iv, float64(s[i]-s[i-1])/1e9)
	}
	sorted := slices.Clone(iv)
	slices.Sort(sorted)
	med := sorted[len(sorted)/2]
	if med < 10 {
		return 0, false
	}
	tol := math.Max(0.1*med, 2)
	near := 0
	for _, v := range iv {
		if math.Abs(v-med) <= tol {
			near++
		}
	}
	return med, float64(near) >= 0.8*float64(len(iv))
}

func (a *analyzer) domainFindings() {
	m := a.obs[KindDomain]
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	slices.Sort(names)
	tld, free := 0, 0
	for _, n := range names {
		o := m[n]
		if t, ok := reputation.SuspiciousTLD(n); ok && tld < maxFindingsPerRule {
			tld++
			a.add(Finding{Module: o.module, Level: "LOW", Time: ts(o.first),
				MessageMsg: i18n.M("net.tld.title", "domain", n, "tld", t),
				ReasonMsg:  i18n.M("net.tld.reason"), BenignMsg: i18n.M("net.tld.benign"),
				Evidence: map[string]any{"domain": n, "sources": o.sources, "evidence": a.ev.get(o.ev)}})
		}
		if p, ok := reputation.FreeDNS(n); ok && free < maxFindingsPerRule {
			free++
			a.add(Finding{Module: o.module, Level: "MEDIUM", Time: ts(o.first),
				MessageMsg: i18n.M("net.free_dns.title", "domain", n, "provider", p),
				ReasonMsg:  i18n.M("net.free_dns.reason"), BenignMsg: i18n.M("net.free_dns.benign"),
				Evidence: map[string]any{"domain": n, "provider": p, "sources": o.sources, "evidence": a.ev.get(o.ev)}})
		}
	}
}

func (a *analyzer) httpFindings() {
	keys := make([]*HTTPRecord, 0, len(a.http))
	seen := map[string]bool{}
	for _, r := range a.http {
		keys = append(keys, r)
	}
	// a total order (the record key is method, URL, host and user agent):
	// records first seen at the same instant must not take map order
	slices.SortFunc(keys, func(x, y *HTTPRecord) int {
		return cmp.Or(x.First.Compare(y.First), strings.Compare(x.URL, y.URL), strings.Compare(x.Method, y.Method),
			strings.Compare(x.Host, y.Host), strings.Compare(x.UserAgent, y.UserAgent))
	})
	n := 0
	for _, r := range keys {
		if seen[r.Host+" "+r.Server] {
			continue
		}
		seen[r.Host+" "+r.Server] = true
		if n == maxFindingsPerRule {
			break
		}
		n++
		a.add(Finding{Module: ModHTTP, Level: "LOW", Time: r.First,
			MessageMsg: i18n.M("net.http.title", "host", orDash(r.Host), "server", r.Server),
			ReasonMsg:  i18n.M("net.http.reason"), BenignMsg: i18n.M("net.http.benign"),
			Evidence: map[string]any{"host": r.Host, "url": r.URL, "user_agent": r.UserAgent, "evidence": r.Evidence}})
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
