package capture

import (
	"encoding/binary"
	"slices"
	"strings"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/quic"
	"github.com/spyscan/spyscan/internal/network/tlsinfo"
)

type quicKey struct {
	server, sni string
	decoded     bool
}

// maxQUICVersions bounds the versions kept per flow and per record.
const maxQUICVersions = 8

// looksLikeQUIC reports whether a UDP payload starts with a QUIC long-header
// packet of a version QUIC readers know: IETF v1, v2 and drafts, mvfst,
// Google's T05x and Q0xx, or a greased version (0x?a?a?a?a) sent to force
// version negotiation.
func looksLikeQUIC(b []byte) bool {
	if len(b) < 7 || b[0]&0xc0 != 0xc0 {
		return false
	}
	v := binary.BigEndian.Uint32(b[1:])
	switch {
	case skipNew && v&0xffffff00 != 0xff000000 && v != quic.Version1 && v != quic.Version2:
		return false
	case v == quic.Version1:
		return (b[0]>>4)&3 == 0
	case v == quic.Version2:
		return (b[0]>>4)&3 == 1
	case v&0xffffff00 == 0xff000000, v&0xfffff000 == 0xfaceb000, quic.IsGreased(v),
		v&0xffffff00 == 0x54303500, v&0xffff0000 == 0x51300000:
		return true
	}
	return false
}

// isVersionNegotiation: a long header with version 0 (RFC 9000 §17.2.1).
func isVersionNegotiation(b []byte) bool {
	return len(b) >= 7 && b[0]&0x80 != 0 && binary.BigEndian.Uint32(b[1:]) == 0
}

func (a *analyzer) quicPacket(f *flow, p *dissect.Packet) {
	v := binary.BigEndian.Uint32(p.Payload[1:])
	if f.quicVer == "" {
		f.quicVer = quic.VersionName(v)
	}
	if len(f.quicVers) < maxQUICVersions && !slices.Contains(f.quicVers, v) {
		f.quicVers = append(f.quicVers, v)
	}
	if a.opts.QUIC == nil {
		a.quicUndec++
		return
	}
	if f.hellos >= quic.MaxHellos {
		return
	}
	if v&0xffff0000 == 0x51300000 { // Q0xx: Google's own crypto, no TLS ClientHello
		f.quicErr = "Google QUIC " + quic.VersionName(v) + " uses its own crypto handshake (no TLS ClientHello to read)"
		return
	}
	msg, hv, ok, err := a.opts.QUIC.Feed(f.String(), p.Payload)
	if err != nil && !ok {
		a.problem("QUIC: " + err.Error())
		f.quicErr = err.Error()
		return
	}
	if !ok {
		return
	}
	ch, err := tlsinfo.ParseClientHello(msg)
	if err != nil {
		a.problem("QUIC: ClientHello " + strings.TrimPrefix(err.Error(), "tls: "))
		f.quicErr = err.Error()
		return
	}
	f.quicDone = true
	f.hellos++
	sa, sp := f.server()
	server := dissect.Endpoint(sa, sp)
	a.clientHello(f, ch, 'q', server)
	fp := a.fps.Get(ch, 'q')
	ja4, ja4ref := fp.JA4, fp.JA4Reference
	if ja4ref == ja4 {
		ja4ref = ""
	}
	sni := strings.ToLower(strings.TrimSuffix(ch.SNI, "."))
	r := f.quicRec
	if r == nil {
		r = a.quicRecord(quicKey{server, sni, true}, f, quic.VersionName(hv), ch, ja4)
		r.Connections++
		f.quicRec = r
	}
	kind := "first"
	if f.hellos > 1 {
		kind = "repeated"
		if len(f.quicVers) > 1 && hv != f.quicVers[0] {
			kind = "after version negotiation"
		}
	}
	addFingerprint(&r.Fingerprints, TLSFingerprint{JA4: ja4, JA4Reference: ja4ref, Hello: kind}, a.dropped)
	a.quicVersions(f, r)
}

// quicServer notes what the server's datagrams tell: a version
// negotiation.
func (a *analyzer) quicServer(f *flow, p *dissect.Packet) {
	if !f.quicVN && isVersionNegotiation(p.Payload) {
		f.quicVN = true
		if f.quicRec != nil {
			f.quicRec.VersionNegotiation = true
		}
	}
}

// quicVersions copies the flow's versions into its record.
func (a *analyzer) quicVersions(f *flow, r *QUICRecord) {
	for _, v := range f.quicVers {
		n := quic.VersionName(v)
		if len(r.Versions) < maxQUICVersions && !slices.Contains(r.Versions, n) {
			r.Versions = append(r.Versions, n)
		}
	}
	if f.quicVN {
		r.VersionNegotiation = true
	}
}

// quicUndecoded records a QUIC flow whose ClientHello was not read.
func (a *analyzer) quicUndecoded(f *flow) {
	sa, sp := f.server()
	r := a.quicRecord(quicKey{server: dissect.Endpoint(sa, sp)}, f, f.quicVer, nil, "")
	if r.Error == "" {
		r.Error = f.quicErr
		if a.opts.QUIC == nil {
			r.Error = "QUIC decoding not available"
		} else if r.Error == "" {
			r.Error = "no complete ClientHello in the Initial packets"
		}
	}
	r.Connections++
	a.quicVersions(f, r)
}

func (a *analyzer) quicRecord(k quicKey, f *flow, version string, ch *tlsinfo.ClientHello, ja4 string) *QUICRecord {
	r := a.quic[k]
	if r == nil {
		if len(a.quic) >= a.opts.MaxRecords {
			a.dropped["quic records"]++
			return &QUICRecord{} // counted, not kept
		}
		r = a.slabs.quic.alloc(QUICRecord{Server: k.server, Version: version, SNI: k.sni, JA4: ja4,
			Decoded: ch != nil, First: ts(a.now), Evidence: a.evidence(f)})
		if ch != nil {
			r.ALPN = ch.ALPN
		}
		a.quic[k] = r
	}
	r.Last = ts(a.now)
	return r
}
