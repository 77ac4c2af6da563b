package capture

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strings"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/dnswire"
	"github.com/spyscan/spyscan/internal/network/httpinfo"
	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

func (a *analyzer) udp(f *flow, p *dissect.Packet, toServer bool) {
	sa, sp := f.server()
	_ = sa
	ca, cp := f.client()
	_ = ca
	switch {
	case sp == 53 || cp == 53 || sp == 5353 || sp == 5355:
		f.app = appDNS
		a.dnsMessage(f, p.Payload)
	case toServer && looksLikeQUICInitial(p.Payload):
		f.app = appQUIC
		a.quicPacket(f, p)
	}
}

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
	if m.Opcode != 0 {
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

func (a *analyzer) dnsRecord(f *flow, name []byte, qt uint16) *DNSRecord {
	rec := a.dns[dnsKey{string(name), qt}]
	if rec == nil {
		if len(a.dns) >= a.opts.MaxRecords {
			a.dropped["dns records (names still checked)"]++
			return nil
		}
		n := string(name)
		rec = &DNSRecord{Name: n, Type: typeName(qt), First: ts(a.now), Evidence: a.evidence(f)}
		a.dns[dnsKey{n, qt}] = rec
	}
	rec.Last = ts(a.now)
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
			if o := a.observeBytes(KindDomain, rr.Target, ModDNS, "dns cname", f); o != nil && o.Count == 1 {
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

func addRelated(o *Observation, v string) {
	if len(o.Related) < 8 && !contains(o.Related, v) {
		o.Related = append(o.Related, v)
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
		rec = &HTTPRecord{Method: req.Method, Host: host, URL: url, UserAgent: req.UserAgent,
			Server: dissect.Endpoint(sa, sp), First: ts(a.now), Evidence: a.evidence(f)}
		a.http[k] = rec
	}
	rec.Requests++
	rec.Last = ts(a.now)
}

// --- QUIC ---

type quicKey struct {
	server, version, sni, ja4 string
}

func looksLikeQUICInitial(b []byte) bool {
	if len(b) < 7 || b[0]&0xc0 != 0xc0 {
		return false
	}
	v := binary.BigEndian.Uint32(b[1:])
	switch v {
	case 1: // v1: Initial type 0
		return (b[0]>>4)&3 == 0
	case 0x6b3343cf: // v2: Initial type 1
		return (b[0]>>4)&3 == 1
	}
	return v&0xffffff00 == 0xff000000 // drafts
}

func quicVersion(v uint32) string {
	switch {
	case v == 1:
		return "v1"
	case v == 0x6b3343cf:
		return "v2"
	case v&0xffffff00 == 0xff000000:
		return fmt.Sprintf("draft-%d", v&0xff)
	}
	return fmt.Sprintf("0x%08x", v)
}

func (a *analyzer) quicPacket(f *flow, p *dissect.Packet) {
	sa, sp := f.server()
	server := dissect.Endpoint(sa, sp)
	ver := quicVersion(binary.BigEndian.Uint32(p.Payload[1:]))
	if f.quicVer == "" {
		f.quicVer = ver
	}
	if a.opts.QUIC == nil {
		a.quicUndec++
		return
	}
	if f.quicDone {
		return // ClientHello already read
	}
	msg, v, ok, err := a.opts.QUIC.Feed(f.String(), p.Payload)
	if err != nil {
		a.problem("QUIC: " + err.Error())
		f.quicErr = err.Error()
		return
	}
	if !ok {
		return
	}
	f.quicDone = true
	ch, err := tlsinfo.ParseClientHello(msg)
	if err != nil {
		a.problem("QUIC: ClientHello " + strings.TrimPrefix(err.Error(), "tls: "))
		f.quicErr = err.Error()
		return
	}
	a.clientHello(f, ch, 'q', server)
	ja4 := tlsinfo.JA4(ch, 'q')
	sni := strings.ToLower(strings.TrimSuffix(ch.SNI, "."))
	r := a.quicRecord(quicKey{server, quicVersion(v), sni, ja4}, f, ch, ja4)
	r.Connections++
}

// quicUndecoded records a QUIC flow whose ClientHello was not read.
func (a *analyzer) quicUndecoded(f *flow) {
	sa, sp := f.server()
	r := a.quicRecord(quicKey{server: dissect.Endpoint(sa, sp), version: f.quicVer}, f, nil, "")
	if r.Error == "" {
		r.Error = f.quicErr
		if a.opts.QUIC == nil {
			r.Error = "QUIC decoding not available"
		} else if r.Error == "" {
			r.Error = "no complete ClientHello in the Initial packets"
		}
	}
	r.Connections++
}

func (a *analyzer) quicRecord(k quicKey, f *flow, ch *tlsinfo.ClientHello, ja4 string) *QUICRecord {
	r := a.quic[k]
	if r == nil {
		if len(a.quic) >= a.opts.MaxRecords {
			a.dropped["quic records"]++
			return &QUICRecord{} // counted, not kept
		}
		r = &QUICRecord{Server: k.server, Version: k.version, SNI: k.sni, JA4: ja4,
			Decoded: ch != nil, First: ts(a.now), Evidence: a.evidence(f)}
		if ch != nil {
			r.ALPN = ch.ALPN
		}
		a.quic[k] = r
	}
	r.Last = ts(a.now)
	return r
}
