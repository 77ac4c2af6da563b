package capture

import (
	"encoding/binary"

	"github.com/spyscan/spyscan/internal/network/dissect"
	"github.com/spyscan/spyscan/internal/network/openvpn"
	"github.com/spyscan/spyscan/internal/network/preamble"
)

// ovpnState is what an OpenVPN flow keeps: the control channel of each
// direction put back in order, and the TLS stream it carries.
type ovpnState struct {
	auth   int // tls-auth bytes of the control packets; -1: not known (tls-crypt), nothing is read
	ch     [2]openvpn.Channel
	tls    [2]*dissect.Stream
	seq    [2]uint32 // next position in tls
	broken [2]bool   // the stream did not start with a TLS handshake record
}

// startOpenVPN makes f an OpenVPN flow whose control packets have auth
// bytes of tls-auth (-1 when no known layout reads them).
func (a *analyzer) startOpenVPN(f *flow, auth int) uint8 {
	f.ovpn = &ovpnState{auth: auth}
	f.pre = &preState{kind: preamble.None, proto: "openvpn", desc: "tls inside openvpn's control channel"}
	return appOpenVPN
}

// openVPNMidway turns a flow whose start the capture missed into an
// OpenVPN flow when the TLS record its search found sits inside an
// OpenVPN control packet: the record is read through OpenVPN's framing
// (with the tls-auth length that puts it there), not across it.
func (a *analyzer) openVPNMidway(f *flow, p *dissect.Packet, d int, auth int) {
	f.app = a.startOpenVPN(f, auth)
	f.cs = &dissect.Stream{Cap: clientCap}
	f.ss = &dissect.Stream{Cap: serverCap}
	s := f.cs
	if d == 1 {
		s = f.ss
	}
	s.Add(p.Seq, p.Payload)
	a.ovpnTCP(f, d)
}

// ovpnTCP reads the length-prefixed packets a TCP stream holds (direction
// d: 0 client, 1 server).
func (a *analyzer) ovpnTCP(f *flow, d int) {
	s := f.cs
	if d == 1 {
		s = f.ss
	}
	for len(s.Data) >= 2 {
		n := int(binary.BigEndian.Uint16(s.Data))
		if n > openvpn.MaxPacket {
			s.Close() // not OpenVPN's framing any more
			return
		}
		if len(s.Data) < 2+n {
			if s.Full {
				s.Close()
			}
			return
		}
		a.ovpnPacket(f, s.Data[2:2+n], d)
		s.Discard(2 + n)
		if f.ovpn.done(d) {
			s.Close()
			return
		}
	}
}

// done reports whether direction d holds nothing more to read.
func (o *ovpnState) done(d int) bool {
	return o.auth < 0 || o.broken[d] || o.ch[d].Broken || o.tls[d] != nil && o.tls[d].Full
}

// ovpnPacket reads one OpenVPN packet of direction d: a control message's
// payload continues the direction's TLS stream, which is read like TLS
// over TCP. Nothing else is read, so that no bytes of the framing can be
// taken for TLS.
func (a *analyzer) ovpnPacket(f *flow, b []byte, d int) {
	o := f.ovpn
	if o.done(d) {
		return
	}
	p, ok := openvpn.Parse(b, o.auth)
	if !ok {
		return
	}
	grew := false
	o.ch[d].Add(p, func(payload []byte) {
		s := o.tls[d]
		if s == nil {
			if !tlsHandshakeStart(payload) {
				o.broken[d] = true
				return
			}
			s = &dissect.Stream{Cap: tlsCap}
			if d == 1 {
				s.Cap = serverCap
			}
			o.tls[d] = s
		}
		if !o.broken[d] && s.Add(o.seq[d], payload) {
			grew = true
		}
		o.seq[d] += uint32(len(payload))
	})
	if !grew {
		return
	}
	f.tlsStarted[d] = true
	if d == 0 {
		a.tlsClientFrom(f, o.tls[0])
	} else {
		a.tlsServerFrom(f, o.tls[1])
	}
}

// tlsHandshakeStart: a TLS handshake record header (type 22, version 3.0
// to 3.4).
func tlsHandshakeStart(b []byte) bool {
	return len(b) >= 3 && b[0] == 22 && b[1] == 3 && b[2] <= 4
}
