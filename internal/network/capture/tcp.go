package capture

import (
	"net"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/dnswire"
	"github.com/spyscan/spyscan/internal/network/h2c"
	"github.com/spyscan/spyscan/internal/network/httpinfo"
	"github.com/spyscan/spyscan/internal/network/openvpn"
	"github.com/spyscan/spyscan/internal/network/preamble"
	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

// Stream buffer bounds.
const (
	clientCap = 16 << 10 // HTTP request heads, DNS/TCP queries, preambles
	serverCap = 64 << 10 // DNS/TCP answers; TLS records (read record by record)
	tlsCap    = 24 << 10 // client TLS records (at most 18 KiB each), read record by record
	maxHTTP   = 8        // requests read per connection
)

// preState is what a flow that does not start with TLS keeps while its
// preamble (STARTTLS, CONNECT, SOCKS, PROXY header...) is read.
type preState struct {
	kind     preamble.Kind
	proto    string
	c, s     preamble.Scanner
	desc     string // "smtp starttls", "socks5 to host:443"...
	proxied  string // the original connection named by a PROXY header
	target   uint16 // CONNECT/SOCKS target port
	hostSeen bool
}

func (a *analyzer) tcp(f *flow, p *dissect.Packet, toServer bool) {
	if p.TCPFlags&dissect.FlagSYN != 0 {
		if toServer && f.app == appUnknown && !f.inspected[0] {
			if f.cs == nil {
				f.cs = &dissect.Stream{Cap: clientCap}
			}
			f.cs.SYN(p.Seq) // a SYN with a new sequence number restarts the stream
		}
		if !toServer || len(p.Payload) == 0 {
			return
		}
		// TCP Fast Open (RFC 7413): the client's SYN carries the first
		// bytes of its stream, which start one sequence number after the
		// SYN's own (p is this packet's scratch decode: changing it here
		// touches nothing else)
		p.Seq++
	}
	if len(p.Payload) == 0 || f.app == appNone {
		return
	}
	if toServer {
		a.tcpClient(f, p)
	} else {
		a.tcpServer(f, p)
	}
}

// maxSearch bounds the segments of each direction of an unrecognised flow
// searched for the start of TLS.
const maxSearch = 8

// searching reports whether direction d of f is still searched for TLS: a
// flow no protocol was recognised in, or one whose other direction found
// TLS after an unrecognised preamble.
func (f *flow) searching(d int) bool {
	return f.app == appSearch || f.app == appPreamble && f.pre.kind == preamble.None && !f.tlsStarted[d]
}

// searchTLS looks for a TLS record (a ClientHello from the client, a
// ServerHello from the server) in the first segments of an unrecognised
// flow: TLS after a preamble of any protocol (MySQL, RDP, proprietary...),
// or a server's handshake whose client side the capture missed.
func (a *analyzer) searchTLS(f *flow, p *dissect.Packet, d int) {
	if f.searched[d] >= maxSearch {
		if f.app == appSearch && f.searched[1-d] >= maxSearch {
			f.app = appNone
		}
		return
	}
	f.searched[d]++
	i := preamble.FindTLS(p.Payload, d == 0)
	if i < 0 {
		return
	}
	if auth, ok := openvpn.TCPControlAt(p.Payload, i); ok && f.app == appSearch {
		a.openVPNMidway(f, p, d, auth)
		return
	}
	if f.app == appSearch {
		if f.pre == nil {
			f.pre = &preState{}
		}
		f.app = appPreamble
		f.pre.kind, f.pre.proto = preamble.None, "tcp"
		f.pre.desc = "tls after an unrecognised preamble"
		if i == 0 && f.searched[d] == 1 {
			f.pre.desc = "tls (the other direction's start is not in the capture)"
		}
	}
	f.tlsStarted[d] = true
	if d == 0 {
		f.cs = &dissect.Stream{Cap: tlsCap}
		f.cs.Add(p.Seq+uint32(i), p.Payload[i:])
		a.tlsClient(f)
		return
	}
	f.ss = &dissect.Stream{Cap: serverCap}
	f.ss.Add(p.Seq+uint32(i), p.Payload[i:])
	a.tlsServer(f)
}

func (a *analyzer) tcpClient(f *flow, p *dissect.Packet) {
	if !f.inspected[0] {
		f.inspected[0] = true
		if f.app == appUnknown || f.app == appSearch {
			f.app = a.classifyTCP(f, p.Payload)
		}
		switch {
		case f.app == appSearch, skipNew && f.app == appNone:
			f.cs = nil
		case f.cs == nil:
			f.cs = &dissect.Stream{Cap: clientCap}
		}
		if f.app == appTLS {
			f.tlsStarted = [2]bool{true, true}
			f.cs.Cap = tlsCap // room for a whole record beside the next segment
		}
	}
	if f.searching(0) {
		a.searchTLS(f, p, 0)
		return
	}
	if f.cs == nil || !f.cs.Add(p.Seq, p.Payload) {
		return
	}
	a.clientData(f)
}

// clientData reads what the client stream holds, by application.
func (a *analyzer) clientData(f *flow) {
	switch f.app {
	case appTLS:
		a.tlsClient(f)
	case appPreamble:
		if !f.tlsStarted[0] && !a.preambleClient(f) {
			return
		}
		a.tlsClient(f)
	case appProxy:
		a.proxyHeader(f)
	case appHTTP:
		a.httpClient(f)
	case appDNS:
		a.dnsTCP(f, f.cs)
	case appOpenVPN:
		a.ovpnTCP(f, 0)
	case appH2C:
		a.h2Stream(f, f.cs, 0)
	}
}

func (a *analyzer) tcpServer(f *flow, p *dissect.Packet) {
	if f.serverDone {
		return
	}
	if f.app == appUnknown && !f.inspected[0] && !f.inspected[1] {
		// the server spoke first: a banner (SMTP, IMAP, POP3, FTP, XMPP),
		// a DNS answer whose query the capture missed, or unknown
		f.inspected[1] = true
		_, sp := f.server()
		k, proto := preamble.Server(p.Payload, sp)
		switch {
		case skipNew && sp != 53:
			f.app = appNone
		case k != preamble.None:
			f.app, f.pre = appPreamble, &preState{kind: k, proto: proto}
		case sp == 53 || dnsOverTCP(p.Payload):
			f.app = appDNS
		default:
			f.app = appSearch
		}
	}
	if f.searching(1) {
		a.searchTLS(f, p, 1)
		return
	}
	if f.app != appTLS && f.app != appDNS && f.app != appPreamble && f.app != appOpenVPN && f.app != appH2C {
		return
	}
	if f.ss == nil {
		f.ss = &dissect.Stream{Cap: serverCap}
	}
	if !f.ss.Add(p.Seq, p.Payload) {
		return
	}
	switch {
	case f.app == appDNS:
		a.dnsTCP(f, f.ss)
	case f.app == appOpenVPN:
		a.ovpnTCP(f, 1)
	case f.app == appH2C:
		a.h2Stream(f, f.ss, 1)
	case f.tlsStarted[1]:
		a.tlsServer(f)
	default:
		n, st := f.pre.s.Feed(f.pre.kind, false, f.ss.Data)
		f.ss.Discard(n)
		switch st {
		case preamble.Found:
			f.tlsStarted[1] = true
			a.tlsServer(f)
		case preamble.NotTLS, preamble.End:
			// End: the tunnel carries something else than TLS, whose
			// server side is not read
			f.serverDone = true
			f.ss.Close()
		}
	}
}

func (a *analyzer) classifyTCP(f *flow, b []byte) uint8 {
	_, sp := f.server()
	switch {
	case len(b) >= 3 && b[0] == 22 && b[1] == 3:
		return appTLS
	case b[0]&0x80 != 0 && sslv2(b):
		return appTLS // an SSLv2-format ClientHello, then TLS records
	case httpinfo.LooksLikeRequest(b):
		return appHTTP
	case len(b) >= 4 && string(b[:4]) == h2c.Preface[:4] && strings.HasPrefix(h2c.Preface, string(b[:min(len(b), len(h2c.Preface))])):
		f.h2 = &[2]*h2c.Reader{h2c.NewReader(true), h2c.NewReader(false)}
		return appH2C
	}
	if app, ok := f.preambleStart(b, sp); ok {
		return app
	}
	if sp == 53 || !skipNew && dnsOverTCP(b) {
		return appDNS
	}
	// after DNS: a DNS query over TCP also starts with a 2-byte length, and
	// its ID can have OpenVPN's first opcode byte
	if openvpn.LooksLikeTCP(b) {
		auth, ok := openvpn.TCPClientReset(b)
		if !ok {
			auth = -1
		}
		return a.startOpenVPN(f, auth)
	}
	if skipNew {
		return appNone
	}
	return appSearch
}

// preambleStart recognises a client stream that starts with a PROXY header
// (appProxy) or a protocol's preamble before TLS (appPreamble: STARTTLS,
// CONNECT, SOCKS...) sent to server port sp.
func (f *flow) preambleStart(b []byte, sp uint16) (uint8, bool) {
	if skipNew {
		return 0, false
	}
	if f.pre == nil || f.pre.proxied == "" {
		if _, _, _, st := preamble.ProxyHeader(b); st != preamble.NotTLS {
			if f.pre == nil {
				f.pre = &preState{}
			}
			return appProxy, true
		}
	}
	if k, proto := preamble.Client(b, sp); k != preamble.None {
		if f.pre == nil {
			f.pre = &preState{}
		}
		f.pre.kind, f.pre.proto = k, proto
		return appPreamble, true
	}
	return 0, false
}

// sslv2 reports whether b starts with an SSLv2-format ClientHello.
func sslv2(b []byte) bool {
	_, ok := tlsinfo.SSLv2Hello(b)
	return ok
}

// dnsOverTCP recognises DNS over TCP on any port: a 2-byte length, then a
// DNS message (whole, or its start when the segment ends first).
func dnsOverTCP(b []byte) bool {
	if len(b) < 2+12 {
		return false
	}
	n := int(b[0])<<8 | int(b[1])
	if n < 12 {
		return false
	}
	if 2+n <= len(b) {
		return dnswire.Plausible(b[2 : 2+n])
	}
	return dnswire.PlausibleStart(b[2:])
}

// preambleClient reads the client's preamble; it reports whether TLS
// starts now.
func (a *analyzer) preambleClient(f *flow) bool {
	n, st := f.pre.c.Feed(f.pre.kind, true, f.cs.Data)
	f.cs.Discard(n)
	if f.pre.c.Host != "" && !f.pre.hostSeen {
		a.preambleTarget(f, f.pre.c.Host, f.pre.c.Port)
	}
	switch st {
	case preamble.Found:
		f.tlsStarted[0] = true
		f.cs.Cap = tlsCap
		if f.pre.desc == "" {
			f.pre.desc = f.pre.proto + " starttls"
		}
		return true
	case preamble.End:
		// a tunnel (CONNECT, SOCKS) carrying something else than TLS: its
		// stream is read like a new one (HTTP, a text protocol...)
		a.tunnelled(f)
	case preamble.NotTLS:
		f.cs.Close()
	}
	return false
}

// tunnelled classifies what a tunnel's client stream carries after its
// preamble, and reads it.
func (a *analyzer) tunnelled(f *flow) {
	desc := f.pre.desc
	f.app = a.classifyTCP(f, f.cs.Data)
	f.pre.desc = desc
	switch f.app {
	case appSearch:
		f.app = appNone
		f.cs.Close()
		return
	case appTLS:
		f.tlsStarted = [2]bool{true, true}
		f.cs.Cap = tlsCap
	case appPreamble:
		f.pre.c, f.pre.s = preamble.Scanner{}, preamble.Scanner{}
	}
	a.clientData(f)
}

// preambleTarget observes the host a CONNECT or SOCKS request names: it is
// checked against indicators like any other name or address.
func (a *analyzer) preambleTarget(f *flow, host string, port uint16) {
	f.pre.hostSeen = true
	f.pre.target = port
	source := f.pre.proto
	if ip, isIP := dissect.ParseAddr(host); isIP {
		a.observeIP(ip, source+" target", f)
	} else if host = strings.ToLower(strings.TrimSuffix(host, ".")); host != "" {
		a.observe(KindDomain, host, ModFlows, source+" target", f)
		if f.serverName == "" {
			f.serverName = host
		}
	}
	f.pre.desc = source + " to " + net.JoinHostPort(host, strconv.Itoa(int(port)))
}

// httpConnect switches an HTTP flow to TLS after a CONNECT request: the
// client's next bytes are TLS records, the server's are a response head
// then TLS records.
func (a *analyzer) httpConnect(f *flow, req *httpinfo.Request) {
	f.app = appPreamble
	f.pre = &preState{kind: preamble.HTTPConnect, proto: "http-connect"}
	f.pre.s = preamble.Scanner{}
	host, port := splitTarget(req.Target)
	a.preambleTarget(f, host, port)
	f.tlsStarted[0] = true
	f.cs.Cap = tlsCap
	f.pre.c = preamble.Scanner{Host: host, Port: port}
	if len(f.cs.Data) > 0 {
		a.tlsClient(f)
	}
}

func splitTarget(t string) (string, uint16) {
	h, p, err := net.SplitHostPort(t)
	if err != nil {
		return t, 0
	}
	n, _ := strconv.ParseUint(p, 10, 16)
	return h, uint16(n)
}

// proxyHeader reads a HAProxy PROXY header, notes the original connection
// it names, and classifies what follows it.
func (a *analyzer) proxyHeader(f *flow) {
	n, src, dst, st := preamble.ProxyHeader(f.cs.Data)
	switch st {
	case preamble.NeedMore:
		if f.cs.Full {
			f.cs.Close()
		}
		return
	case preamble.NotTLS:
		f.app = appNone
		f.cs.Close()
		return
	}
	f.cs.Discard(n)
	f.pre.proxied = "proxy header"
	if src.IsValid() {
		f.pre.proxied = src.String() + " -> " + dst.String()
		a.observeIP(src.Addr(), "proxy header", f)
		a.observeIP(dst.Addr(), "proxy header", f)
	}
	if len(f.cs.Data) == 0 {
		f.app, f.inspected[0] = appUnknown, false
		return
	}
	f.app = a.classifyTCP(f, f.cs.Data)
	switch f.app {
	case appSearch: // later segments are searched for TLS
		f.cs.Close()
		f.cs = nil
		return
	case appTLS:
		f.tlsStarted = [2]bool{true, true}
		f.cs.Cap = tlsCap
	}
	a.clientData(f)
}
