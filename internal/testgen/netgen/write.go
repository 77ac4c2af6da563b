// Package netgen owns generating packet captures for tests, the demo and the
// benchmark: pcap and pcapng writers (several interfaces, timestamp
// resolutions, Decryption Secrets Blocks), packet builders (Ethernet, Linux
// SLL, PKTAP, IPv4/IPv6, TCP/UDP, IPv4 fragments) and application payloads
// (DNS, TLS ClientHello and certificate, HTTP), plus whole TCP sessions.
package netgen

import (
	"bufio"
	"encoding/binary"
	"io"
	"time"
)

// Link types used by the writers.
const (
	LinkEthernet = 1
	LinkRaw      = 101
	LinkSLL      = 113
	LinkSLL2     = 276
	LinkPKTAP    = 258
	LinkNull     = 0
)

// PacketWriter writes packets to a capture.
type PacketWriter interface {
	WritePacket(iface int, t time.Time, data []byte) error
}

// PcapWriter writes a classic pcap file (microsecond or nanosecond).
type PcapWriter struct {
	w    *bufio.Writer
	nano bool
	hdr  [16]byte
}

// NewPcapWriter writes the file header.
func NewPcapWriter(w io.Writer, link uint32, nano bool) (*PcapWriter, error) {
	bw := bufio.NewWriterSize(w, 1<<20)
	h := make([]byte, 24)
	magic := uint32(0xa1b2c3d4)
	if nano {
		magic = 0xa1b23c4d
	}
	binary.LittleEndian.PutUint32(h, magic)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 262144)
	binary.LittleEndian.PutUint32(h[20:], link)
	_, err := bw.Write(h)
	return &PcapWriter{w: bw, nano: nano}, err
}

// WritePacket writes one packet (iface is ignored).
func (p *PcapWriter) WritePacket(_ int, t time.Time, data []byte) error {
	return p.WriteCut(t, data, len(data))
}

// WriteCut writes a packet whose original length was orig (snaplen cut).
func (p *PcapWriter) WriteCut(t time.Time, data []byte, orig int) error {
	frac := t.Nanosecond() / 1000
	if p.nano {
		frac = t.Nanosecond()
	}
	binary.LittleEndian.PutUint32(p.hdr[0:], uint32(t.Unix()))
	binary.LittleEndian.PutUint32(p.hdr[4:], uint32(frac))
	binary.LittleEndian.PutUint32(p.hdr[8:], uint32(len(data)))
	binary.LittleEndian.PutUint32(p.hdr[12:], uint32(orig))
	if _, err := p.w.Write(p.hdr[:]); err != nil {
		return err
	}
	_, err := p.w.Write(data)
	return err
}

// Flush flushes the buffer.
func (p *PcapWriter) Flush() error { return p.w.Flush() }

// Iface describes a pcapng interface.
type Iface struct {
	Link    uint32
	Name    string
	TSResol byte // if_tsresol option; 0 means the default (microseconds)
}

// NGWriter writes a pcapng file (little-endian, one section).
type NGWriter struct {
	w      *bufio.Writer
	ifaces []Iface
	buf    []byte
}

// NewNGWriter writes the section header and the interface descriptions.
func NewNGWriter(w io.Writer, ifaces ...Iface) (*NGWriter, error) {
	n := &NGWriter{w: bufio.NewWriterSize(w, 1<<20), ifaces: ifaces}
	shb := make([]byte, 16)
	binary.LittleEndian.PutUint32(shb, 0x1A2B3C4D)
	binary.LittleEndian.PutUint16(shb[4:], 1)
	binary.LittleEndian.PutUint64(shb[8:], ^uint64(0))
	if err := n.block(0x0A0D0D0A, shb); err != nil {
		return nil, err
	}
	for _, in := range ifaces {
		b := make([]byte, 8)
		binary.LittleEndian.PutUint16(b, uint16(in.Link))
		binary.LittleEndian.PutUint32(b[4:], 262144)
		if in.Name != "" {
			b = option(b, 2, []byte(in.Name))
		}
		if in.TSResol != 0 {
			b = option(b, 9, []byte{in.TSResol})
		}
		b = append(b, 0, 0, 0, 0) // opt_endofopt
		if err := n.block(1, b); err != nil {
			return nil, err
		}
	}
	return n, nil
}

func option(b []byte, code uint16, v []byte) []byte {
	b = binary.LittleEndian.AppendUint16(b, code)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(v)))
	b = append(b, v...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func (n *NGWriter) block(typ uint32, body []byte) error {
	pad := (4 - len(body)%4) % 4
	total := uint32(12 + len(body) + pad)
	var h [8]byte
	binary.LittleEndian.PutUint32(h[:], typ)
	binary.LittleEndian.PutUint32(h[4:], total)
	n.w.Write(h[:])
	n.w.Write(body)
	n.w.Write(make([]byte, pad))
	_, err := n.w.Write(h[4:8])
	return err
}

// units converts t to the interface's timestamp units.
func (n *NGWriter) units(iface int, t time.Time) uint64 {
	r := n.ifaces[iface].TSResol
	ns := uint64(t.UnixNano())
	switch {
	case r == 0:
		return ns / 1000
	case r&0x80 == 0:
		e := int(r)
		if e >= 9 {
			return ns * pow10(e-9)
		}
		return ns / pow10(9-e)
	default:
		e := uint(r & 0x7f)
		sec := ns / 1e9
		frac := (ns % 1e9) << e / 1e9
		return sec<<e | frac
	}
}

func pow10(n int) uint64 {
	v := uint64(1)
	for ; n > 0; n-- {
		v *= 10
	}
	return v
}

// WritePacket writes an Enhanced Packet Block.
func (n *NGWriter) WritePacket(iface int, t time.Time, data []byte) error {
	u := n.units(iface, t)
	b := n.buf[:0]
	b = binary.LittleEndian.AppendUint32(b, uint32(iface))
	b = binary.LittleEndian.AppendUint32(b, uint32(u>>32))
	b = binary.LittleEndian.AppendUint32(b, uint32(u))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	n.buf = b
	return n.block(6, b)
}

// WriteDSB writes a Decryption Secrets Block of the given secrets type.
func (n *NGWriter) WriteDSB(secretsType uint32, data []byte) error {
	b := binary.LittleEndian.AppendUint32(nil, secretsType)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(data)))
	b = append(b, data...)
	return n.block(0x0A, b)
}

// Flush flushes the buffer.
func (n *NGWriter) Flush() error { return n.w.Flush() }
