// Package pcapfile owns reading capture files: classic pcap (micro- and
// nanosecond, both byte orders) and pcapng (several sections and interfaces,
// per-interface timestamp resolution and offset, Decryption Secrets Blocks
// counted but never used), optionally gzip-compressed. It is pure Go and
// reads packets into a reused buffer without allocating. Damage (truncated
// file, wrong magic, snaplen-cut or corrupt records) is counted per reason in
// Stats and never panics.
package pcapfile

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/spyscan/spyscan/internal/safearchive"
)

// Link types (LINKTYPE_* values from the tcpdump registry, and the DLT_*
// values some systems write in their place).
const (
	LinkNull         = 0
	LinkEthernet     = 1
	LinkPPP          = 9
	LinkFDDI         = 10
	LinkATMRFC1483   = 11
	LinkRawAlt       = 12 // DLT_RAW on most BSDs
	LinkRawAlt14     = 14 // DLT_RAW on OpenBSD
	LinkPPPHDLC      = 50 // PPP in HDLC-like framing (RFC 1662), or Cisco HDLC
	LinkPPPEther     = 51 // PPPoE session header, no Ethernet
	LinkRaw          = 101
	LinkCHDLC        = 104
	LinkIEEE80211    = 105
	LinkLoop         = 108
	LinkEnc          = 109 // OpenBSD IPsec enc
	LinkSLL          = 113
	LinkPFLog        = 117
	LinkPrism        = 119
	LinkRadiotap     = 127
	LinkPKTAPDLT     = 149 // DLT_PKTAP as written by macOS tcpdump
	LinkAVS          = 163
	LinkPPI          = 192
	LinkPPPWithDir   = 204
	LinkCHDLCWithDir = 205
	LinkIPNet        = 226
	LinkIPv4         = 228
	LinkIPv6         = 229
	LinkNFLog        = 239
	LinkPKTAP        = 258
	LinkSLL2         = 276
)

// Sentinel errors.
var (
	ErrBadMagic  = errors.New("not a pcap or pcapng capture (unknown magic)")
	ErrTruncated = errors.New("capture truncated")
	ErrCorrupt   = errors.New("corrupt capture record")
)

// MaxPacket bounds a single packet or block; larger ones are corrupt.
const MaxPacket = 1 << 20

// Format of the capture.
type Format string

// Formats.
const (
	FormatPcap   Format = "pcap"
	FormatPcapNG Format = "pcapng"
)

// Interface describes one pcapng interface (or the single pcap one).
type Interface struct {
	LinkType uint32 `json:"link_type"`
	SnapLen  uint32 `json:"snaplen"`
	Name     string `json:"name,omitempty"`
	TSResol  string `json:"ts_resolution"`
	// internal timestamp conversion
	pow10  bool
	exp    uint8
	offset int64 // seconds
}

// Stats counts what the reader saw, per reason for damage.
type Stats struct {
	Format      Format      `json:"format"`
	Gzip        bool        `json:"gzip,omitempty"`
	Packets     uint64      `json:"packets"`
	Bytes       uint64      `json:"bytes"` // captured bytes
	Interfaces  []Interface `json:"interfaces,omitempty"`
	Sections    int         `json:"sections,omitempty"`
	SnapCut     uint64      `json:"snaplen_cut_packets,omitempty"`
	Truncated   bool        `json:"truncated,omitempty"`
	Corrupt     uint64      `json:"corrupt_records,omitempty"`
	BadIface    uint64      `json:"packets_bad_interface,omitempty"`
	OtherBlocks uint64      `json:"other_blocks,omitempty"`
	// DecryptionSecrets counts pcapng Decryption Secrets Blocks by secrets
	// type. They are reported, never used to decrypt traffic.
	DecryptionSecrets map[string]int `json:"decryption_secrets_blocks,omitempty"`
}

// Packet is one captured packet. Data is valid until the next call to Next.
type Packet struct {
	Data     []byte
	OrigLen  int
	Time     int64 // Unix nanoseconds, UTC
	LinkType uint32
	Iface    int
	Number   uint64 // 1-based position in the file
}

// Reader reads packets from a capture.
type Reader struct {
	br    *bufio.Reader
	gz    io.ReadCloser
	Stats Stats
	order binary.ByteOrder
	// pcap
	nano bool
	snap uint32
	link uint32
	// pcapng
	ifaces []Interface
	buf    []byte
	hdr    [32]byte
	done   bool
}

const bufSize = 1 << 20

// NewReader detects the format (and gzip) and reads the file header.
func NewReader(r io.Reader) (*Reader, error) {
	br := bufio.NewReaderSize(r, bufSize)
	rd := &Reader{br: br}
	m, err := br.Peek(4)
	if err != nil {
		return nil, fmt.Errorf("%w: %d bytes", ErrBadMagic, len(m))
	}
	if m[0] == 0x1f && m[1] == 0x8b {
		gz, err := safearchive.Gunzip(br, "")
		if err != nil {
			return nil, fmt.Errorf("gzip: %w", err)
		}
		rd.gz = gz
		rd.br = bufio.NewReaderSize(gz, bufSize)
		rd.Stats.Gzip = true
		if m, err = rd.br.Peek(4); err != nil {
			return nil, fmt.Errorf("%w: %d bytes", ErrBadMagic, len(m))
		}
	}
	switch {
	case bytes.Equal(m, []byte{0x0a, 0x0d, 0x0d, 0x0a}):
		rd.Stats.Format = FormatPcapNG
		if err := rd.readSHB(); err != nil {
			return nil, err
		}
	default:
		rd.Stats.Format = FormatPcap
		if err := rd.readPcapHeader(); err != nil {
			return nil, err
		}
	}
	return rd, nil
}

// IsCapture reports whether head (the first bytes of a file, after gunzip)
// starts like a pcap or pcapng capture.
func IsCapture(head []byte) bool {
	if len(head) < 4 {
		return false
	}
	if bytes.Equal(head[:4], []byte{0x0a, 0x0d, 0x0d, 0x0a}) {
		return len(head) < 12 || bytes.Equal(head[8:12], []byte{0x4d, 0x3c, 0x2b, 0x1a}) ||
			bytes.Equal(head[8:12], []byte{0x1a, 0x2b, 0x3c, 0x4d})
	}
	_, _, ok := pcapMagic(head[:4])
	return ok
}

func pcapMagic(m []byte) (binary.ByteOrder, bool, bool) {
	switch binary.LittleEndian.Uint32(m) {
	case 0xa1b2c3d4:
		return binary.LittleEndian, false, true
	case 0xa1b23c4d:
		return binary.LittleEndian, true, true
	case 0xd4c3b2a1:
		return binary.BigEndian, false, true
	case 0x4d3cb2a1:
		return binary.BigEndian, true, true
	}
	return nil, false, false
}

func (r *Reader) readPcapHeader() error {
	h, err := r.br.Peek(24)
	if len(h) >= 4 {
		if _, _, ok := pcapMagic(h[:4]); !ok {
			return ErrBadMagic
		}
	}
	if err != nil {
		return fmt.Errorf("%w: file header", ErrTruncated)
	}
	order, nano, _ := pcapMagic(h[:4])
	r.order, r.nano = order, nano
	r.snap = order.Uint32(h[16:])
	r.link = order.Uint32(h[20:]) & 0x0fffffff
	res := "microseconds"
	if nano {
		res = "nanoseconds"
	}
	r.Stats.Interfaces = []Interface{{LinkType: r.link, SnapLen: r.snap, TSResol: res}}
	_, _ = r.br.Discard(24)
	return nil
}

// Close releases the gzip reader, if any.
func (r *Reader) Close() error {
	if r.gz != nil {
		return r.gz.Close()
	}
	return nil
}

// Next reads the next packet into p. It returns io.EOF at the clean end of
// the file, and an error wrapping ErrTruncated or ErrCorrupt when the rest of
// the file cannot be read (Stats says why).
func (r *Reader) Next(p *Packet) error {
	if r.done {
		return io.EOF
	}
	var err error
	if r.Stats.Format == FormatPcap {
		err = r.nextPcap(p)
	} else {
		err = r.nextNG(p)
	}
	if err != nil {
		r.done = true
		return err
	}
	r.Stats.Packets++
	r.Stats.Bytes += uint64(len(p.Data))
	p.Number = r.Stats.Packets
	if len(p.Data) < p.OrigLen {
		r.Stats.SnapCut++
	}
	return nil
}

// read returns n bytes, from the bufio buffer when they fit (no copy).
func (r *Reader) read(n int) ([]byte, error) {
	if n <= bufSize {
		b, err := r.br.Peek(n)
		if err != nil {
			return nil, err
		}
		_, _ = r.br.Discard(n)
		return b, nil
	}
	if cap(r.buf) < n {
		r.buf = make([]byte, n)
	}
	b := r.buf[:n]
	_, err := io.ReadFull(r.br, b)
	return b, err
}

func (r *Reader) eofOr(err error, what string) error {
	if err == io.EOF {
		return io.EOF
	}
	r.Stats.Truncated = true
	return fmt.Errorf("%w: %s", ErrTruncated, what)
}

func (r *Reader) nextPcap(p *Packet) error {
	h, err := r.br.Peek(16)
	if err != nil {
		if len(h) == 0 {
			return io.EOF
		}
		return r.eofOr(io.ErrUnexpectedEOF, "record header")
	}
	sec := r.order.Uint32(h[0:])
	frac := r.order.Uint32(h[4:])
	incl := r.order.Uint32(h[8:])
	orig := r.order.Uint32(h[12:])
	if incl > MaxPacket {
		r.Stats.Corrupt++
		return fmt.Errorf("%w: packet %d claims %d bytes", ErrCorrupt, r.Stats.Packets+1, incl)
	}
	_, _ = r.br.Discard(16)
	data, err := r.read(int(incl))
	if err != nil {
		return r.eofOr(io.ErrUnexpectedEOF, fmt.Sprintf("packet %d", r.Stats.Packets+1))
	}
	ns := int64(frac)
	if !r.nano {
		ns *= 1000
	}
	p.Data, p.OrigLen, p.LinkType, p.Iface = data, int(orig), r.link, 0
	p.Time = int64(sec)*1e9 + ns
	return nil
}

// pcapng block types.
const (
	blkSHB      = 0x0A0D0D0A
	blkIDB      = 1
	blkOldPkt   = 2
	blkSimple   = 3
	blkEnhanced = 6
	blkDSB      = 0x0A
)

// readBlock reads one whole pcapng block (type, body without the trailing
// length).
func (r *Reader) readBlock() (uint32, []byte, error) {
	h, err := r.br.Peek(12)
	if err != nil {
		if len(h) == 0 {
			return 0, nil, io.EOF
		}
		return 0, nil, r.eofOr(io.ErrUnexpectedEOF, "block header")
	}
	if binary.LittleEndian.Uint32(h) == blkSHB {
		// byte order may change with the new section
		switch binary.LittleEndian.Uint32(h[8:]) {
		case 0x1A2B3C4D:
			r.order = binary.LittleEndian
		case 0x4D3C2B1A:
			r.order = binary.BigEndian
		default:
			r.Stats.Corrupt++
			return 0, nil, fmt.Errorf("%w: bad section byte-order magic", ErrCorrupt)
		}
	}
	typ := r.order.Uint32(h)
	n := r.order.Uint32(h[4:])
	if n < 12 || n%4 != 0 || n > MaxPacket+64 {
		r.Stats.Corrupt++
		return 0, nil, fmt.Errorf("%w: block of type %#x claims %d bytes", ErrCorrupt, typ, n)
	}
	b, err := r.read(int(n))
	if err != nil {
		return 0, nil, r.eofOr(io.ErrUnexpectedEOF, fmt.Sprintf("block of type %#x", typ))
	}
	if r.order.Uint32(b[n-4:]) != n {
		r.Stats.Corrupt++
		return 0, nil, fmt.Errorf("%w: block of type %#x has mismatched lengths", ErrCorrupt, typ)
	}
	return typ, b[8 : n-4], nil
}

func (r *Reader) readSHB() error {
	h, err := r.br.Peek(12)
	if err != nil {
		return fmt.Errorf("%w: section header", ErrTruncated)
	}
	if m := binary.LittleEndian.Uint32(h[8:]); m != 0x1A2B3C4D && m != 0x4D3C2B1A {
		return ErrBadMagic
	}
	typ, body, err := r.readBlock()
	if err != nil {
		return err
	}
	if typ != blkSHB {
		return ErrBadMagic
	}
	return r.handleSHB(body)
}

func (r *Reader) handleSHB(body []byte) error {
	if len(body) < 16 {
		r.Stats.Corrupt++
		return fmt.Errorf("%w: short section header", ErrCorrupt)
	}
	r.Stats.Sections++
	r.ifaces = r.ifaces[:0]
	return nil
}

func (r *Reader) nextNG(p *Packet) error {
	for {
		typ, body, err := r.readBlock()
		if err != nil {
			return err
		}
		switch typ {
		case blkSHB:
			if err := r.handleSHB(body); err != nil {
				return err
			}
		case blkIDB:
			r.handleIDB(body)
		case blkEnhanced:
			if ok := r.handleEPB(body, p); ok {
				return nil
			}
		case blkSimple:
			if ok := r.handleSPB(body, p); ok {
				return nil
			}
		case blkOldPkt:
			if ok := r.handleOldPB(body, p); ok {
				return nil
			}
		case blkDSB:
			r.handleDSB(body)
		default:
			r.Stats.OtherBlocks++
		}
	}
}

func (r *Reader) handleIDB(b []byte) {
	if len(b) < 8 {
		r.Stats.Corrupt++
		return
	}
	in := Interface{LinkType: uint32(r.order.Uint16(b)), SnapLen: r.order.Uint32(b[4:]), pow10: true, exp: 6}
	walkOptions(r.order, b[8:], func(code uint16, v []byte) {
		switch code {
		case 2:
			in.Name = string(v)
		case 9:
			if len(v) >= 1 {
				in.pow10 = v[0]&0x80 == 0
				in.exp = v[0] & 0x7f
			}
		case 14:
			if len(v) >= 8 {
				in.offset = int64(r.order.Uint64(v))
			}
		}
	})
	if in.pow10 {
		in.TSResol = fmt.Sprintf("10^-%d s", in.exp)
	} else {
		in.TSResol = fmt.Sprintf("2^-%d s", in.exp)
	}
	r.ifaces = append(r.ifaces, in)
	if len(r.Stats.Interfaces) < 256 {
		r.Stats.Interfaces = append(r.Stats.Interfaces, in)
	}
}

func walkOptions(order binary.ByteOrder, b []byte, f func(code uint16, v []byte)) {
	for len(b) >= 4 {
		code, n := order.Uint16(b), int(order.Uint16(b[2:]))
		if code == 0 {
			return
		}
		b = b[4:]
		if n > len(b) {
			return
		}
		f(code, b[:n])
		pad := (n + 3) &^ 3
		if pad > len(b) {
			return
		}
		b = b[pad:]
	}
}

// ts converts a pcapng timestamp in interface units to Unix nanoseconds.
func (in *Interface) ts(t uint64) int64 {
	var ns int64
	if in.pow10 {
		switch {
		case in.exp <= 9:
			ns = int64(t * pow10[9-in.exp])
		case in.exp < 20:
			ns = int64(t / pow10[in.exp-9])
		}
	} else if in.exp < 64 {
		sec := t >> in.exp
		frac := t & (1<<in.exp - 1)
		hi, lo := bits.Mul64(frac, 1e9)
		var f uint64
		if in.exp == 0 {
			f = 0
		} else {
			f = hi<<(64-in.exp) | lo>>in.exp
		}
		ns = int64(sec)*1e9 + int64(f)
	}
	return ns + in.offset*1e9
}

var pow10 = [...]uint64{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10}

func (r *Reader) iface(id uint32) *Interface {
	if int(id) >= len(r.ifaces) || id > 1<<16 {
		r.Stats.BadIface++
		return nil
	}
	return &r.ifaces[id]
}

func (r *Reader) handleEPB(b []byte, p *Packet) bool {
	if len(b) < 20 {
		r.Stats.Corrupt++
		return false
	}
	in := r.iface(r.order.Uint32(b))
	if in == nil {
		return false
	}
	t := uint64(r.order.Uint32(b[4:]))<<32 | uint64(r.order.Uint32(b[8:]))
	capl := r.order.Uint32(b[12:])
	orig := r.order.Uint32(b[16:])
	if uint64(capl) > uint64(len(b)-20) {
		r.Stats.Corrupt++
		return false
	}
	p.Data, p.OrigLen, p.LinkType = b[20:20+capl], int(orig), in.LinkType
	p.Iface = int(r.order.Uint32(b))
	p.Time = in.ts(t)
	return true
}

func (r *Reader) handleSPB(b []byte, p *Packet) bool {
	if len(b) < 4 {
		r.Stats.Corrupt++
		return false
	}
	in := r.iface(0)
	if in == nil {
		return false
	}
	orig := r.order.Uint32(b)
	capl := uint32(len(b) - 4)
	if orig < capl {
		capl = orig
	}
	if in.SnapLen > 0 && capl > in.SnapLen {
		capl = in.SnapLen
	}
	p.Data, p.OrigLen, p.LinkType, p.Iface, p.Time = b[4:4+capl], int(orig), in.LinkType, 0, 0
	return true
}

func (r *Reader) handleOldPB(b []byte, p *Packet) bool {
	if len(b) < 20 {
		r.Stats.Corrupt++
		return false
	}
	id := uint32(r.order.Uint16(b))
	in := r.iface(id)
	if in == nil {
		return false
	}
	t := uint64(r.order.Uint32(b[4:]))<<32 | uint64(r.order.Uint32(b[8:]))
	capl := r.order.Uint32(b[12:])
	orig := r.order.Uint32(b[16:])
	if uint64(capl) > uint64(len(b)-20) {
		r.Stats.Corrupt++
		return false
	}
	p.Data, p.OrigLen, p.LinkType, p.Iface, p.Time = b[20:20+capl], int(orig), in.LinkType, int(id), in.ts(t)
	return true
}

// Secrets types of a Decryption Secrets Block.
var secretsTypes = map[uint32]string{
	0x544c534b: "TLS key log",
	0x57474b4c: "WireGuard key log",
	0x5a4e574b: "ZigBee NWK key",
	0x5a415053: "ZigBee APS key",
	0x41494b4c: "OPC UA key log",
}

func (r *Reader) handleDSB(b []byte) {
	if r.Stats.DecryptionSecrets == nil {
		r.Stats.DecryptionSecrets = map[string]int{}
	}
	name := "unknown"
	if len(b) >= 8 {
		t := r.order.Uint32(b)
		if n, ok := secretsTypes[t]; ok {
			name = n
		} else {
			name = fmt.Sprintf("type %#08x", t)
		}
	}
	if len(r.Stats.DecryptionSecrets) < 32 {
		r.Stats.DecryptionSecrets[name]++
	}
}

// LinkTypeName names the link types met in public captures, for messages
// about the ones that are not decoded; "" when unknown.
func LinkTypeName(link uint32) string {
	switch link {
	case 6:
		return "IEEE 802.5 Token Ring"
	case 8:
		return "SLIP"
	case 107:
		return "Frame Relay"
	case 114:
		return "LocalTalk"
	case 138:
		return "Apple IP over IEEE 1394"
	case 143:
		return "DOCSIS"
	case 165, 166:
		return "SS7"
	case 187:
		return "Bluetooth HCI"
	case 189:
		return "USB Linux"
	case 195, 215, 230, 283:
		return "IEEE 802.15.4"
	case 197:
		return "Endace ERF"
	case 201:
		return "Bluetooth HCI with direction"
	case 220:
		return "USB Linux (mmapped)"
	case 227:
		return "CAN SocketCAN"
	case 249:
		return "USBPcap"
	case 251:
		return "Bluetooth LE"
	case 253:
		return "Linux netlink"
	case 147, 148, 150, 151, 152, 153, 154, 155, 156, 157, 158, 159, 160, 161, 162:
		return "user-defined"
	}
	return ""
}
