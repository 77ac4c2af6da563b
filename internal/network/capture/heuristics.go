package capture

import (
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strings"

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

func (a *analyzer) add(f Finding) { a.findings = append(a.findings, f) }

func (a *analyzer) tlsOddPort(f *flow, rec *TLSRecord, port uint16) {
	key := fmt.Sprintf("tls-port %s", rec.Server)
	if a.certSeen[key] {
		return
	}
	a.certSeen[key] = true
	a.add(Finding{Module: ModTLS, Level: "LOW", Time: ts(a.now),
		Message: fmt.Sprintf("TLS on unusual port %d to %s (SNI %q)", port, rec.Server, rec.SNI),
		Reason:  "Implants often talk TLS to their servers on ports other than 443 to blend in or bypass filters.",
		Benign:  "Many legitimate services (VPNs, games, messaging, IoT, development servers) use TLS on other ports.",
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
			Message:  fmt.Sprintf("Self-signed TLS certificate %q served by %s", c.Subject, f.String()),
			Reason:   "Spyware infrastructure often uses self-signed certificates that no authority vouched for.",
			Benign:   "Home routers, printers, NAS boxes, corporate and development servers commonly use self-signed certificates.",
			Evidence: ev})
		return
	}
	if ca, ok := reputation.FreeCertIssuer(c.Issuer); ok {
		a.add(Finding{Module: ModTLS, Level: "LOW", Time: ts(a.now),
			Message:  fmt.Sprintf("TLS certificate from a free authority (%s) for %q", ca, c.Subject),
			Reason:   "Free, automatically issued certificates are cheap for attackers to obtain for throw-away domains.",
			Benign:   "A large share of all legitimate websites use free certificates such as Let's Encrypt.",
			Evidence: ev})
	}
}

type aggKey struct {
	client, server netip.Addr
	port           uint16
	proto          uint8
}

type beaconKey struct {
	client netip.Addr
	dest   string
	port   uint16
	proto  uint8
}

type beacon struct {
	starts []int64
	n      int
	ev     Evidence
}

type unresolvedIP struct {
	flows int
	ev    Evidence
	port  uint16
	first int64
}

const maxBeaconStarts = 128

// endFlow summarises a flow leaving the table.
func (a *analyzer) endFlow(f *flow, why string) {
	ca, cp := f.client()
	sa, sp := f.server()
	if f.serverName == "" {
		if names := a.resolved[sa]; len(names) > 0 {
			f.serverName = names[0]
		}
	}
	rec := FlowRecord{Proto: dissect.ProtoName(f.key.Proto), Client: dissect.Endpoint(ca, cp),
		Server: dissect.Endpoint(sa, sp), ServerName: f.serverName, App: f.appName(),
		First: ts(f.first), Last: ts(f.last), FirstPacket: f.firstPkt,
		PacketsOut: f.pkts[0], PacketsIn: f.pkts[1], BytesOut: f.bytes[0], BytesIn: f.bytes[1],
		Process: f.process, Tunnel: a.tunnelOf(f), SawStart: f.sawSYN, End: why, Flows: 1}
	if f.pre != nil {
		rec.Preamble, rec.ProxiedConnection = f.pre.desc, f.pre.proxied
	}
	ev := Evidence{File: a.name, Flow: f.String(), CommunityID: f.communityID(), FirstPacket: rec.First,
		LastPacket: rec.Last, PacketNumber: f.firstPkt, Process: f.process, Tunnel: rec.Tunnel}
	rec.CommunityID = ev.CommunityID
	if len(a.flowRecs) < a.opts.MaxFlowRecords {
		a.flowRecs = append(a.flowRecs, rec)
	} else {
		a.aggregate(rec, aggKey{ca, sa, sp, f.key.Proto})
	}
	if f.app == appQUIC && !f.quicDone {
		a.quicUndecoded(f)
	}
	a.observeFlowIPs(f, ca, sa, ev)
	a.trackBeacon(f, ca, sa, sp, ev)
	a.trackUnresolved(f, sa, sp, ev)
}

func (a *analyzer) aggregate(rec FlowRecord, k aggKey) {
	g := a.flowAgg[k]
	if g == nil {
		if len(a.flowAgg) >= a.opts.MaxFlowRecords {
			a.dropped["flow summaries beyond both caps (counted only)"]++
			return
		}
		rec.CommunityID, rec.End, rec.Client = "", "", k.client.String()
		g = &rec
		a.flowAgg[k] = g
		a.dropped["flows aggregated by client/server/port"]++
		return
	}
	a.dropped["flows aggregated by client/server/port"]++
	g.Flows++
	g.PacketsOut += rec.PacketsOut
	g.PacketsIn += rec.PacketsIn
	g.BytesOut += rec.BytesOut
	g.BytesIn += rec.BytesIn
	if rec.First.Before(g.First) {
		g.First = rec.First
	}
	if rec.Last.After(g.Last) {
		g.Last = rec.Last
	}
}

func (a *analyzer) observeFlowIPs(f *flow, ca, sa netip.Addr, ev Evidence) {
	for _, ip := range []netip.Addr{sa, ca} {
		if !publicIP(ip) {
			continue
		}
		o := a.obsIP[ip]
		if o == nil {
			if len(a.obsIP) >= a.opts.MaxObserved && !a.keepIP(ip) {
				a.dropped["observed addresses past the bound (no indicator hit)"]++
				continue
			}
			o = &Observation{Kind: KindIP, Module: ModFlows, First: ev.FirstPacket, Evidence: ev}
			a.obsIP[ip] = o
		}
		o.Count++
		if ev.LastPacket.After(o.Last) {
			o.Last = ev.LastPacket
		}
		if ev.FirstPacket.Before(o.First) {
			o.First = ev.FirstPacket
		}
		if !contains(o.Sources, "flow endpoint") {
			o.Sources = append(o.Sources, "flow endpoint")
		}
		if o.Evidence.Flow == "" {
			o.Evidence = ev
		}
	}
}

func (a *analyzer) trackBeacon(f *flow, ca, sa netip.Addr, sp uint16, ev Evidence) {
	if f.key.Proto == dissect.ProtoTCP && !f.sawSYN {
		return
	}
	if f.app == appDNS {
		return
	}
	dest := f.serverName
	if dest == "" {
		dest = sa.String()
	}
	k := beaconKey{ca, dest, sp, f.key.Proto}
	b := a.beacons[k]
	if b == nil {
		if len(a.beacons) >= a.opts.MaxRecords/2 {
			return
		}
		b = &beacon{ev: ev}
		a.beacons[k] = b
	}
	b.n++
	if len(b.starts) < maxBeaconStarts {
		b.starts = append(b.starts, f.first)
	}
}

var ignoredUDP = map[uint16]bool{53: true, 67: true, 68: true, 123: true, 137: true, 138: true,
	1900: true, 5353: true, 5355: true, 3702: true}

func (a *analyzer) trackUnresolved(f *flow, sa netip.Addr, sp uint16, ev Evidence) {
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
		u = &unresolvedIP{ev: ev, port: sp, first: f.first}
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
				Message: fmt.Sprintf("%d more addresses contacted without a DNS lookup (listed in the flow records)", len(ips)-i),
				Reason:  "See the other alerts of this rule.", Benign: "See the other alerts of this rule."})
			break
		}
		a.add(Finding{Module: ModFlows, Level: "LOW", Time: ts(u.first),
			Message:  fmt.Sprintf("Connection to %s (port %d, %d flow(s)) that no DNS answer in the capture resolved", ip, u.port, u.flows),
			Reason:   "Implants sometimes contact hard-coded IP addresses, skipping DNS.",
			Benign:   "The name may have been resolved before the capture started, through DNS-over-HTTPS, or the app uses fixed addresses (CDNs, push services, P2P).",
			Evidence: map[string]any{"ip": ip.String(), "flows": u.flows, "evidence": u.ev}})
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
		return strings.Compare(x.k.client.String()+x.k.dest+fmt.Sprint(x.k.port), y.k.client.String()+y.k.dest+fmt.Sprint(y.k.port))
	})
	for i, h := range hits {
		if i == maxFindingsPerRule {
			break
		}
		a.add(Finding{Module: ModFlows, Level: "MEDIUM", Time: ts(h.b.starts[0]),
			Message: fmt.Sprintf("%s connects to %s port %d every %.0f s (%d connections)", h.k.client, h.k.dest, h.k.port, h.period, h.b.n),
			Reason:  "Implants often call home at a fixed interval (beaconing) to fetch commands.",
			Benign:  "Mail, calendar, weather and push-notification clients, updaters and health checks also poll on a timer.",
			Evidence: map[string]any{"client": h.k.client.String(), "destination": h.k.dest, "port": h.k.port,
				"period_seconds": math.Round(h.period*10) / 10, "connections": h.b.n, "evidence": h.b.ev}})
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
			a.add(Finding{Module: o.Module, Level: "LOW", Time: o.First,
				Message:  fmt.Sprintf("Domain %q uses the top-level domain .%s, common in abuse", n, t),
				Reason:   "Cheap or free top-level domains are over-represented in malware and phishing infrastructure.",
				Benign:   "Legitimate sites use these top-level domains too.",
				Evidence: map[string]any{"domain": n, "sources": o.Sources, "evidence": o.Evidence}})
		}
		if p, ok := reputation.FreeDNS(n); ok && free < maxFindingsPerRule {
			free++
			a.add(Finding{Module: o.Module, Level: "MEDIUM", Time: o.First,
				Message:  fmt.Sprintf("Domain %q is under the free dynamic-DNS provider %s", n, p),
				Reason:   "Free dynamic-DNS names are a cheap, anonymous way to point an implant at a changing server.",
				Benign:   "Home users run cameras, NAS boxes and game servers under dynamic-DNS names.",
				Evidence: map[string]any{"domain": n, "provider": p, "sources": o.Sources, "evidence": o.Evidence}})
		}
	}
}

func (a *analyzer) httpFindings() {
	keys := make([]*HTTPRecord, 0, len(a.http))
	seen := map[string]bool{}
	for _, r := range a.http {
		keys = append(keys, r)
	}
	slices.SortFunc(keys, func(x, y *HTTPRecord) int { return x.First.Compare(y.First) })
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
			Message:  fmt.Sprintf("Unencrypted HTTP to %s (%s)", orDash(r.Host), r.Server),
			Reason:   "Clear-text HTTP can leak data and is used by some implants and droppers.",
			Benign:   "Captive portals, OS connectivity checks, software updates and old sites still use plain HTTP.",
			Evidence: map[string]any{"host": r.Host, "url": r.URL, "user_agent": r.UserAgent, "evidence": r.Evidence}})
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
