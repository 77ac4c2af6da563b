package capture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/dnswire"
	"github.com/spyscan/spyscan/internal/network/httpinfo"
	"github.com/spyscan/spyscan/internal/network/openvpn"
	"github.com/spyscan/spyscan/internal/network/preamble"
)

func (a *analyzer) udp(f *flow, p *dissect.Packet, toServer bool) {
	_, sp := f.server()
	_, cp := f.client()
	switch {
	case f.app == appDNS || dnsPort(sp) || dnsPort(cp):
		f.app = appDNS
		a.dnsMessage(f, p.Payload)
	case toServer && looksLikeQUIC(p.Payload):
		f.app = appQUIC
		a.quicPacket(f, p)
	case !toServer && f.app == appQUIC:
		a.quicServer(f, p)
	case f.app == appOpenVPN:
		a.ovpnPacket(f, p.Payload, dir(toServer))
	case f.app == appRDPUDP:
		a.rdpUDP(f, p.Payload, toServer)
	case f.app == appUnknown && toServer && rdpUDPSyn(p.Payload):
		f.app = appRDPUDP
		f.pre = &preState{kind: preamble.None, proto: "rdp-udp", desc: "tls inside rdp's udp transport"}
	case f.app == appUnknown && toServer && a.openVPNReset(f, p.Payload):
		a.ovpnPacket(f, p.Payload, 0)
	case f.app == appUnknown && (sp == netbiosNS || cp == netbiosNS):
		// NetBIOS name service has DNS's wire format, but its names are
		// NetBIOS names in their half-ASCII encoding, not domains
		f.app = appNone
	case f.app == appUnknown && skipNew:
		f.app = appNone
	case f.app == appUnknown:
		// DNS on any other port, recognised by content in the first
		// datagram of each direction (or in the start of an incomplete one)
		d := 1
		if toServer {
			d = 0
		}
		if f.inspected[d] && !a.partial {
			return
		}
		f.inspected[d] = true
		if dnswire.Plausible(p.Payload) || a.partial && dnswire.PlausibleStart(p.Payload) {
			f.app = appDNS
			a.dnsMessage(f, p.Payload)
		}
	}
}

// dir is a packet's direction index: 0 to the server, 1 from it.
func dir(toServer bool) int {
	if toServer {
		return 0
	}
	return 1
}

// openVPNReset recognises OpenVPN over UDP by its client's first packet
// (a hard reset), and makes f an OpenVPN flow.
func (a *analyzer) openVPNReset(f *flow, b []byte) bool {
	auth, ok := openvpn.ClientReset(b)
	if ok {
		f.app = a.startOpenVPN(f, auth)
	}
	return ok
}

// dnsPort: DNS, mDNS and LLMNR.
func dnsPort(p uint16) bool { return p == 53 || p == 5353 || p == 5355 }

// netbiosNS is NetBIOS name service's UDP port (RFC 1002).
const netbiosNS = 137

// --- DNS ---

type dnsKey struct {
	name  string
	qtype uint16
}

type dnsScratch struct{ m dnswire.Msg }

func (a *analyzer) dnsTCP(f *flow, s *dissect.Stream) {
	for {
		b := s.Data
		if len(b) < 2 {
			return
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n {
			if s.Full {
				s.Close()
			}
			return
		}
		a.dnsMessage(f, b[2:2+n])
		s.Discard(2 + n)
	}
}

func typeName(t uint16) string {
	switch t {
	case dnswire.TypeA:
		return "A"
	case dnswire.TypeAAAA:
		return "AAAA"
	case dnswire.TypeCNAME:
		return "CNAME"
	case dnswire.TypeHTTPS:
		return "HTTPS"
	case dnswire.TypeSVCB:
		return "SVCB"
	case dnswire.TypeMX:
		return "MX"
	case dnswire.TypeTXT:
		return "TXT"
	case dnswire.TypePTR:
		return "PTR"
	case dnswire.TypeNS:
		return "NS"
	case dnswire.TypeSRV:
		return "SRV"
	}
	return fmt.Sprintf("TYPE%d", t)
}

var rcodes = [...]string{"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"}

func (a *analyzer) dnsMessage(f *flow, b []byte) {
	m := &a.dnsMsg.m
	if err := dnswire.Parse(b, m); err != nil {
		a.problem("DNS: " + strings.TrimPrefix(err.Error(), "dns: "))
		if len(m.Questions) == 0 {
			return
		}
	}
	// every opcode is read (QUERY, NOTIFY, UPDATE...): the names it carries
	// are checked like those of queries
	if m.Response && len(m.Questions) == 0 { // mDNS announcements
		a.sawDNS = true
		a.dnsAnnouncement(f, m)
		return
	}
	for _, q := range m.Questions {
		if len(q.Name) == 0 || q.Type == dnswire.TypePTR {
			continue
		}
		// past the record bound, names are still observed and answers
		// still tied to them: only the per-name record is not kept
		rec := a.dnsRecord(f, q.Name, q.Type)
		if !m.Response {
			if rec != nil {
				rec.Queries++
			}
			a.observeBytes(KindDomain, q.Name, ModDNS, "dns query", f)
			continue
		}
		a.sawDNS = true
		// the question is observed in the response too: the query may be
		// missing from the capture
		a.observeBytes(KindDomain, q.Name, ModDNS, "dns response", f)
		if rec != nil {
			rec.Responses++
			if int(m.RCode) < len(rcodes) {
				rec.RCode = rcodes[m.RCode]
			} else {
				rec.RCode = fmt.Sprint(m.RCode)
			}
		}
		a.dnsAnswers(f, q.Name, rec, m)
	}
}

// dnsAnnouncement reads a response without questions (mDNS announces its
// names so): each record's owner name is observed and its addresses tied to
// it.
func (a *analyzer) dnsAnnouncement(f *flow, m *dnswire.Msg) {
	for _, rr := range m.Answers {
		if len(rr.Name) == 0 || rr.Type == dnswire.TypePTR || bytes.HasSuffix(rr.Name, []byte(".arpa")) {
			continue // reverse-lookup names are not domains to check
		}
		a.observeBytes(KindDomain, rr.Name, ModDNS, "dns answer", f)
		rec := a.dnsRecord(f, rr.Name, rr.Type)
		if rec != nil {
			rec.Responses++
		}
		switch {
		case rr.Addr.IsValid():
			if rec != nil && len(rec.Addresses) < maxAnswersPerName {
				if s := rr.Addr.String(); !contains(rec.Addresses, s) {
					rec.Addresses = append(rec.Addresses, s)
				}
			}
			a.resolvedBy(rr.Addr, rr.Name)
			a.observeIP(rr.Addr, "dns answer", f)
		case rr.Type == dnswire.TypeCNAME && len(rr.Target) > 0:
			if o := a.observeBytes(KindDomain, rr.Target, ModDNS, "dns cname", f); o != nil && o.count == 1 {
				addRelated(o, "CNAME of "+string(rr.Name))
			}
		}
	}
}

func (a *analyzer) dnsRecord(f *flow, name []byte, qt uint16) *DNSRecord {
	rec := a.dns[dnsKey{string(name), qt}]
	if rec == nil {
		if len(a.dns) >= a.opts.MaxRecords {
			a.dropped["dns records (names still checked)"]++
			return nil
		}
		n := string(name)
		rec = a.slabs.dns.alloc(DNSRecord{Name: n, Type: typeName(qt), First: ts(a.now), Evidence: a.evidence(f)})
		a.dns[dnsKey{n, qt}] = rec
	}
	rec.Last = ts(a.now)
	if a.partial {
		rec.Partial = true
	}
	return rec
}

const maxAnswersPerName = 16

// dnsAnswers reads the answers of a response to qname: CNAME targets are
// observed, and every address is tied to qname and to each CNAME of the
// chain in this message.
func (a *analyzer) dnsAnswers(f *flow, qname []byte, rec *DNSRecord, m *dnswire.Msg) {
	a.chain = a.chain[:0]
	for _, rr := range m.Answers {
		switch {
		case rr.Type == dnswire.TypeCNAME && len(rr.Target) > 0:
			if len(a.chain) < maxAnswersPerName {
				a.chain = append(a.chain, rr.Target)
			}
			if rec != nil && len(rec.CNAMEs) < maxAnswersPerName && !containsBytes(rec.CNAMEs, rr.Target) {
				rec.CNAMEs = append(rec.CNAMEs, string(rr.Target))
			}
			if o := a.observeBytes(KindDomain, rr.Target, ModDNS, "dns cname", f); o != nil && o.count == 1 {
				addRelated(o, "CNAME of "+string(qname))
			}
		case rr.Addr.IsValid():
			if rec != nil && len(rec.Addresses) < maxAnswersPerName {
				s := rr.Addr.String()
				if !contains(rec.Addresses, s) {
					rec.Addresses = append(rec.Addresses, s)
				}
			}
			a.resolvedBy(rr.Addr, qname)
			for _, cn := range a.chain {
				a.resolvedBy(rr.Addr, cn)
			}
			a.observeIP(rr.Addr, "dns answer", f)
		}
	}
}

func containsBytes(s []string, b []byte) bool {
	for _, x := range s {
		if x == string(b) {
			return true
		}
	}
	return false
}

func addRelated(o *obsEntry, v string) {
	if len(o.related) < 8 && !contains(o.related, v) {
		o.related = append(o.related, v)
	}
}

// resolvedBy ties an answer address to a name that resolved to it.
func (a *analyzer) resolvedBy(ip netip.Addr, name []byte) {
	names, ok := a.resolved[ip]
	if !ok && len(a.resolved) >= a.opts.MaxObserved && (a.opts.Keep == nil || !a.opts.Keep(KindDomain, string(name))) {
		a.dropped["resolved addresses past the bound"]++
		return
	}
	if len(names) < 8 && !containsBytes(names, name) {
		a.resolved[ip] = append(names, string(name))
	}
}

// --- HTTP ---

type httpKey struct{ method, url, host, ua string }

func (a *analyzer) httpClient(f *flow) {
	for f.httpReqs < maxHTTP {
		b := f.cs.Data
		if len(b) == 0 {
			return
		}
		req, n, err := httpinfo.ParseRequest(b)
		if err == httpinfo.ErrIncomplete {
			if f.cs.Full {
				f.cs.Close()
			}
			return
		}
		if err != nil {
			// a body or a non-HTTP continuation: stop reading this stream
			break
		}
		f.cs.Discard(n) // the next request, if any, starts the buffer
		f.httpReqs++
		a.httpRequest(f, req)
		if req.Method == "CONNECT" {
			a.httpConnect(f, req)
			return
		}
	}
	f.cs.Close()
}

func (a *analyzer) httpRequest(f *flow, req *httpinfo.Request) {
	name, ip, ok := httpinfo.SplitHost(req.Host)
	host := name
	switch {
	case ip.IsValid(): // an address literal is an address, never a domain
		host = ip.String()
		a.observeIP(ip, "http host", f)
	case ok:
		a.observe(KindDomain, name, ModHTTP, "http host", f)
	case req.Host != "":
		a.problem("HTTP: malformed Host header")
	}
	url := req.URL()
	if f.serverName == "" {
		f.serverName = host
	}
	if url != "" {
		a.observe(KindURL, url, ModHTTP, "http url", f)
	}
	sa, sp := f.server()
	k := httpKey{req.Method, url, host, req.UserAgent}
	rec := a.http[k]
	if rec == nil {
		if len(a.http) >= a.opts.MaxRecords {
			a.dropped["http records"]++
			return
		}
		rec = a.slabs.http.alloc(HTTPRecord{Method: req.Method, Host: host, URL: url, UserAgent: req.UserAgent,
			Server: dissect.Endpoint(sa, sp), First: ts(a.now), Evidence: a.evidence(f)})
		a.http[k] = rec
	}
	rec.Requests++
	rec.Last = ts(a.now)
}
