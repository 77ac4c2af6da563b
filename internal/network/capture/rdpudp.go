package capture

import (
	"encoding/binary"

	"github.com/spyscan/spyscan/internal/network/preamble"
)

// RDP's UDP transport (MS-RDPEUDP, and RDPEUDP2 after it) carries the TLS
// handshake that secures the session inside its own reliable datagrams,
// with headers of its own (acknowledgement vectors, FEC) before each
// piece. Its framing is not read: the client's datagrams are searched for
// a ClientHello record that one datagram holds whole, which is read and
// fingerprinted. A record that goes on in another datagram is not read
// (nothing is read across the transport's headers), nor is the server's
// certificate chain, which always spans datagrams.

// rdpUDPSyn recognises the client's first datagram of RDP's UDP transport
// (MS-RDPEUDP 3.1.5.1.1): snSourceAck -1, the SYN flag without ACK, and
// the datagram padded to at least 1232 bytes.
func rdpUDPSyn(b []byte) bool {
	if len(b) < 1232 || binary.BigEndian.Uint32(b) != 0xffffffff {
		return false
	}
	flags := binary.BigEndian.Uint16(b[6:])
	return flags&0x0001 != 0 && flags&0x0004 == 0
}

// maxRDPUDPSearch bounds the client datagrams searched for the ClientHello.
const maxRDPUDPSearch = 16

// rdpUDP reads the first ClientHello a client datagram of an RDP UDP flow
// holds whole.
func (a *analyzer) rdpUDP(f *flow, b []byte, toServer bool) {
	if !toServer || f.hellos > 0 || f.searched[0] >= maxRDPUDPSearch {
		return
	}
	f.searched[0]++
	i := preamble.FindTLS(b, true)
	if i < 0 {
		return
	}
	rec := b[i:]
	l := int(binary.BigEndian.Uint16(rec[3:]))
	if 5+l > len(rec) {
		return // the record goes on in another datagram
	}
	m := rec[5 : 5+l]
	if len(m) < 4 || 4+(int(m[1])<<16|int(m[2])<<8|int(m[3])) != len(m) {
		return // not one whole ClientHello in one record
	}
	f.tlsStarted[0] = true
	a.tlsHello(f, m)
}
