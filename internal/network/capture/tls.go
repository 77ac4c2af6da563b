package capture

import (
	"crypto/sha256"
	"fmt"
	"strings"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/preamble"
	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

// Bounds of the TLS reading of one connection.
const (
	maxHellos          = 4         // ClientHellos fingerprinted per connection
	maxTLSBytes        = 256 << 10 // clear-text TLS bytes read per direction
	maxFingerprints    = 32        // distinct fingerprints kept per TLS record
	maxAlertsPerRecord = 8
)

type tlsKey struct {
	sni, server string
}

// tlsClient reads the client's records as they arrive: every ClientHello
// (the first, and the second after a HelloRetryRequest) is fingerprinted.
func (a *analyzer) tlsClient(f *flow) { a.tlsClientFrom(f, f.cs) }

// tlsClientFrom reads the client's TLS records from s: the TCP stream, or
// the TLS stream another protocol carries (OpenVPN's control channel).
func (a *analyzer) tlsClientFrom(f *flow, s *dissect.Stream) {
	if f.tlsC == nil {
		f.tlsC = &tlsinfo.Reader{}
	}
	n, err := f.tlsC.Feed(s.Data, func(m []byte) bool {
		if m[0] == tlsinfo.TypeClientHello {
			a.tlsHello(f, m)
		}
		return f.hellos < maxHellos && !(skipNew && f.hellos > 0)
	})
	if err == tlsinfo.ErrSSLv2 {
		a.sslv2Hello(f, s.Data[n:])
		err = nil
	}
	s.Discard(n)
	f.tlsBytes[0] += n
	a.tlsAlerts(f, f.tlsC, "client")
	if err != nil {
		a.problem("TLS: client records: " + strings.TrimPrefix(err.Error(), "tls: "))
	}
	if f.tlsC.Done() || f.tlsBytes[0] > maxTLSBytes || (s.Full && n == 0) {
		if f.hellos == 0 && err == nil && f.tlsRec == nil {
			a.decodeErr["TLS: no complete ClientHello"]++
		}
		s.Close()
	}
}

// tlsServer reads the server's records: ServerHello (or HelloRetryRequest)
// and, up to TLS 1.2, the certificate chain. Alerts or other records before
// the ServerHello do not stop it.
func (a *analyzer) tlsServer(f *flow) { a.tlsServerFrom(f, f.ss) }

// tlsServerFrom reads the server's TLS records from s (see tlsClientFrom).
func (a *analyzer) tlsServerFrom(f *flow, s *dissect.Stream) {
	if f.tlsS == nil {
		f.tlsS = &tlsinfo.Reader{}
	}
	n, err := f.tlsS.Feed(s.Data, func(m []byte) bool {
		switch m[0] {
		case tlsinfo.TypeServerHello:
			sh, err := tlsinfo.ParseServerHello(m)
			if err != nil {
				a.problem("TLS: ServerHello " + strings.TrimPrefix(err.Error(), "tls: "))
				return true
			}
			if sh.RetryHello {
				f.retry = true
				if r := f.tlsRec; r != nil {
					r.HelloRetries++
				}
				return true
			}
			a.serverHello(f, sh)
			return sh.Version < 0x0304 // TLS 1.3: the certificate is encrypted
		case tlsinfo.TypeCertificate:
			a.certificates(f, a.parseCerts(m))
		case tlsinfo.TypeServerHelloDone:
			return false
		}
		return true
	})
	s.Discard(n)
	f.tlsBytes[1] += n
	a.tlsAlerts(f, f.tlsS, "server")
	if err != nil {
		a.problem("TLS: server records: " + strings.TrimPrefix(err.Error(), "tls: "))
	}
	if f.tlsS.Done() || f.tlsBytes[1] > maxTLSBytes || (s.Full && n == 0) {
		f.serverDone = true
		s.Close()
	}
}

// tlsAlerts copies the alerts a direction showed in clear into the record.
func (a *analyzer) tlsAlerts(f *flow, rd *tlsinfo.Reader, side string) {
	r := f.tlsRec
	if r == nil {
		return
	}
	for _, al := range rd.Alerts {
		level := "warning"
		if al.Level == 2 {
			level = "fatal"
		}
		s := fmt.Sprintf("%s %s %d", side, level, al.Description)
		if n := tlsinfo.AlertName(al.Description); n != "" {
			s += " (" + n + ")"
		}
		if len(r.Alerts) < maxAlertsPerRecord && !contains(r.Alerts, s) {
			r.Alerts = append(r.Alerts, s)
		}
	}
	rd.Alerts = rd.Alerts[:0]
}

// tlsHello fingerprints one ClientHello of a TCP connection.
func (a *analyzer) tlsHello(f *flow, m []byte) {
	ch, err := tlsinfo.ParseClientHello(m)
	if err != nil {
		a.problem("TLS: " + strings.TrimPrefix(err.Error(), "tls: "))
		return
	}
	f.hellos++
	sa, sp := f.server()
	a.clientHello(f, ch, 't', dissect.Endpoint(sa, sp))
}

// helloKind says which ClientHello of its connection a hello is.
func helloKind(f *flow) string {
	switch {
	case f.hellos <= 1:
		return "first"
	case f.retry:
		return "after HelloRetryRequest"
	}
	return "repeated"
}

// clientHello observes the fingerprints and SNI of a ClientHello (TLS or
// QUIC) and, for TLS, keeps them in the record of its (SNI, server) group.
func (a *analyzer) clientHello(f *flow, ch *tlsinfo.ClientHello, transport byte, server string) {
	fp := a.fps.Get(ch, transport)
	ja3, ja4, ja4ref := fp.JA3, fp.JA4, fp.JA4Reference
	sni := strings.ToLower(strings.TrimSuffix(ch.SNI, "."))
	mod, src := ModTLS, "tls sni"
	if transport == 'q' {
		mod, src = ModQUIC, "quic sni"
	}
	if ip, isIP := dissect.ParseAddr(sni); isIP { // an address in SNI (not allowed, yet seen)
		a.observeIP(ip, src, f)
	} else if sni != "" {
		if f.serverName == "" {
			f.serverName = sni
		}
		a.observe(KindDomain, sni, mod, src, f)
	}
	a.observe(KindJA3, ja3, mod, "ja3", f)
	a.observe(KindJA4, ja4, mod, "ja4", f)
	if ja4ref != ja4 {
		a.observe(KindJA4, ja4ref, mod, "ja4 (FoxIO reference-code form)", f)
	} else {
		ja4ref = ""
	}
	if transport != 't' {
		return
	}
	rec := f.tlsRec
	if rec == nil {
		rec = a.tlsRecord(f, ch, sni, server, ja3, ja4)
		if rec == nil {
			return
		}
		rec.Connections++
		rec.Last = ts(a.now)
		f.tlsRec = rec
		a.tlsPort(f, rec)
	}
	addFingerprint(&rec.Fingerprints, TLSFingerprint{JA3: ja3, JA4: ja4, JA4Reference: ja4ref, Hello: helloKind(f)}, a.dropped)
}

// sslv2Hello records a connection whose client opened with an
// SSLv2-format ClientHello: it has no fingerprint (see tlsinfo.SSLv2Hello),
// and its record names the hello and the version it offered; the server's
// side is read as usual.
func (a *analyzer) sslv2Hello(f *flow, b []byte) {
	v, ok := tlsinfo.SSLv2Hello(b)
	if !ok {
		a.problem("TLS: malformed SSLv2-format ClientHello")
		return
	}
	a.decodeErr["TLS: SSLv2-format ClientHello (not fingerprinted: JA3 and JA4 read TLS ClientHellos only)"]++
	if f.tlsRec == nil {
		a.serverOnlyRecord(f)
	}
	if r := f.tlsRec; r != nil && len(r.Versions) == 0 {
		r.Versions = []string{tlsinfo.VersionName(v) + " (SSLv2-format ClientHello)"}
	}
}

// serverOnlyRecord gives a connection whose ClientHello the capture does not
// hold (only the server's direction was captured) a record of its own, so
// that its certificates are kept.
func (a *analyzer) serverOnlyRecord(f *flow) {
	sa, sp := f.server()
	k := tlsKey{"", dissect.Endpoint(sa, sp)}
	rec := a.tls[k]
	if rec == nil {
		if len(a.tls) >= a.opts.MaxRecords {
			a.dropped["tls records"]++
			return
		}
		rec = a.slabs.tls.alloc(TLSRecord{Server: k.server, First: ts(a.now), Evidence: a.evidence(f), Fingerprints: []TLSFingerprint{}})
		if f.pre != nil {
			rec.Preamble = f.pre.desc
		}
		a.tls[k] = rec
	}
	rec.Connections++
	rec.Last = ts(a.now)
	f.tlsRec = rec
}

// tlsPort flags TLS on an unusual port: the CONNECT or SOCKS target's port
// when there is one; never the standard port of a STARTTLS protocol.
func (a *analyzer) tlsPort(f *flow, rec *TLSRecord) {
	if f.ovpn != nil {
		return // OpenVPN's own port, whatever it is
	}
	if _, sp := f.server(); f.app == appRDPUDP && sp == 3389 {
		return
	}
	_, port := f.server()
	if f.pre != nil {
		switch {
		case f.pre.target != 0:
			port = f.pre.target
		case preamble.StandardPort(f.pre.proto, port):
			return
		}
	}
	if !standardTLSPort(port) {
		a.tlsOddPort(f, rec, port)
	}
}

// tlsRecord finds or creates the record of a (SNI, server) group.
func (a *analyzer) tlsRecord(f *flow, ch *tlsinfo.ClientHello, sni, server, ja3, ja4 string) *TLSRecord {
	k := tlsKey{sni, server}
	rec := a.tls[k]
	if rec != nil {
		return rec
	}
	if len(a.tls) >= a.opts.MaxRecords {
		a.dropped["tls records"]++
		return nil
	}
	rec = a.slabs.tls.alloc(TLSRecord{SNI: sni, Server: server, ALPN: ch.ALPN, JA3: ja3, JA4: ja4,
		First: ts(a.now), Evidence: a.evidence(f)})
	if f.pre != nil {
		rec.Preamble = f.pre.desc
	}
	for _, v := range ch.Versions {
		if !tlsinfo.IsGREASE(v) {
			rec.Versions = append(rec.Versions, tlsinfo.VersionName(v))
		}
	}
	if len(rec.Versions) == 0 {
		rec.Versions = []string{tlsinfo.VersionName(ch.LegacyVersion)}
	}
	a.tls[k] = rec
	return rec
}

// addFingerprint counts a fingerprint in a record's list, keeping every
// distinct one up to a bound.
func addFingerprint(fps *[]TLSFingerprint, fp TLSFingerprint, dropped map[string]uint64) {
	for i := range *fps {
		e := &(*fps)[i]
		if e.JA3 == fp.JA3 && e.JA4 == fp.JA4 && e.Hello == fp.Hello {
			e.Count++
			return
		}
	}
	if len(*fps) >= maxFingerprints {
		dropped["fingerprints past the per-record bound (still checked)"]++
		return
	}
	fp.Count = 1
	*fps = append(*fps, fp)
}

// parseCerts parses a Certificate message, once per distinct message: the
// same chain served to many connections is parsed and stored once.
func (a *analyzer) parseCerts(m []byte) []tlsinfo.Certificate {
	k := sha256.Sum256(m)
	if c, ok := a.certCache[k]; ok {
		return c
	}
	certs, err := tlsinfo.ParseCertificateMsg(m)
	if err != nil {
		a.problem("TLS: certificate message " + strings.TrimPrefix(err.Error(), "tls: "))
	}
	if len(a.certCache) < a.opts.MaxRecords {
		a.certCache[k] = certs
	}
	return certs
}

// tlsCut reads a Certificate message the flow ended inside (the capture
// stopped, or lost the rest): the certificates it holds whole, and the one
// it cuts, marked partial and hashed as far as it goes, so that what was
// seen is checked and the record says it is incomplete.
func (a *analyzer) tlsCut(f *flow) {
	s := f.ss
	if f.ovpn != nil {
		s = f.ovpn.tls[1]
	}
	var rest []byte
	if s != nil {
		rest = s.Data
	}
	m := f.tlsS.Pending(rest)
	if len(m) < 4 || m[0] != tlsinfo.TypeCertificate {
		return
	}
	certs, _ := tlsinfo.ParseCertificateMsg(m)
	if len(certs) == 0 {
		return
	}
	a.problem("TLS: certificate message cut short (certificates read as far as they go, marked partial)")
	a.certificates(f, certs)
}

func (a *analyzer) serverHello(f *flow, sh *tlsinfo.ServerHello) {
	if f.tlsRec == nil && f.hellos == 0 {
		a.serverOnlyRecord(f)
	}
	if r := f.tlsRec; r != nil && r.Negotiated == "" {
		r.Negotiated = tlsinfo.VersionName(sh.Version)
		r.Cipher = fmt.Sprintf("0x%04x", sh.Cipher)
	}
}

func (a *analyzer) certificates(f *flow, certs []tlsinfo.Certificate) {
	if len(certs) == 0 {
		return
	}
	if f.tlsRec == nil && f.hellos == 0 {
		a.serverOnlyRecord(f) // the capture starts after the ServerHello
	}
	if r := f.tlsRec; r != nil && r.Certificates == nil {
		r.Certificates = certs
	}
	for i, c := range certs {
		o := a.observe(KindTLSCert, c.SHA256, ModTLS, "tls certificate", f)
		if o != nil && len(o.related) == 0 {
			addRelated(o, "sha1 "+c.SHA1)
			if c.Subject != "" {
				addRelated(o, "subject "+c.Subject)
			}
		}
		a.observe(KindTLSCert, c.SHA1, ModTLS, "tls certificate", f)
		if i == 0 {
			for _, san := range c.SANs {
				san = strings.ToLower(strings.TrimPrefix(san, "*."))
				if san != "" {
					if _, isIP := dissect.ParseAddr(san); isIP {
						continue
					}
					a.observe(KindDomain, san, ModTLS, "certificate SAN", f)
				}
			}
			a.leafHeuristics(f, c)
		}
	}
}
