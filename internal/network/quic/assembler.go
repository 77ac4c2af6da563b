package quic

import (
	"bytes"
	"container/list"
)

// Bounds of the reassembly state.
const (
	// MaxClientHello is the largest ClientHello (and CRYPTO offset) kept.
	MaxClientHello = 64 << 10
	// maxTotalBytes caps the CRYPTO bytes buffered over all connections.
	maxTotalBytes = 64 << 20
	maxRanges     = 64 // received ranges kept per connection
)

// Assembler reassembles the CRYPTO streams of client Initial packets,
// connection by connection, until each holds a ClientHello. It tracks at
// most maxConns connections and evicts the least recently fed one beyond
// that. It is not safe for concurrent use.
type Assembler struct {
	maxConns int
	conns    map[string]*list.Element
	lru      list.List // of *conn, most recent at front
	buffered int       // bytes held in conn buffers
	scratch  []byte
	evicted  int
}

type span struct{ start, end int }

type conn struct {
	key     string
	version uint32
	dcid    []byte
	keys    *Keys
	largest int64
	buf     []byte // CRYPTO stream bytes at their offsets
	have    []span // received ranges, sorted and merged
	done    bool   // ClientHello delivered or stream given up
}

// NewAssembler returns an assembler tracking at most maxConns connections
// (at least 1).
func NewAssembler(maxConns int) *Assembler {
	if maxConns < 1 {
		maxConns = 1
	}
	return &Assembler{maxConns: maxConns, conns: make(map[string]*list.Element),
		scratch: make([]byte, 0, 1600)}
}

// Evicted is the number of connections dropped because the table was full
// or the buffer budget was reached.
func (a *Assembler) Evicted() int { return a.evicted }

// Conns is the number of connections currently tracked.
func (a *Assembler) Conns() int { return len(a.conns) }

// Feed takes one UDP payload sent by a client (possibly coalesced packets).
// Once the CRYPTO stream of that connection holds a complete TLS
// ClientHello, it returns the handshake message (type 0x01, 3-byte length,
// body) and the QUIC version, with ok=true; this happens once per
// connection. Packets that are not Initial packets are skipped. err reports
// the first problem met in the datagram (a sentinel of this package) when
// no ClientHello was completed.
func (a *Assembler) Feed(connKey string, payload []byte) (clientHello []byte, version uint32, ok bool, err error) {
	var firstErr error
	b := payload
	for len(b) > 0 {
		h, isLong, perr := parseLongHeader(b)
		if perr != nil {
			if firstErr == nil {
				firstErr = perr
			}
			break
		}
		if !isLong {
			break // short header or version negotiation: nothing more to read
		}
		pkt := b[:h.end]
		b = b[h.end:]
		if !h.isInitial() {
			continue
		}
		hello, done, ferr := a.feedPacket(connKey, pkt, &h)
		if ferr != nil && firstErr == nil {
			firstErr = ferr
		}
		if done {
			return hello, h.version, true, nil
		}
	}
	return nil, 0, false, firstErr
}

// feedPacket decrypts one Initial packet and adds its CRYPTO frames.
func (a *Assembler) feedPacket(key string, pkt []byte, h *longHeader) ([]byte, bool, error) {
	c := a.lookup(key)
	var plain []byte
	var pn int64
	var keys *Keys
	var err error
	if c != nil && c.done {
		// A retransmission, or the client's later Initials (ACKs), are
		// ignored; a packet opening with keys of a new DCID is a new
		// connection reusing the same addresses and ports.
		if plain, pn, keys = a.openNew(pkt, h, c); plain == nil {
			return nil, false, nil
		}
		c.version, c.dcid, c.keys, c.done, c.largest = h.version, bytes.Clone(h.dcid), keys, false, -1
	} else {
		largest := int64(-1)
		if c != nil {
			largest = c.largest
		}
		if plain, pn, keys, err = a.open(c, pkt, h, largest); err != nil {
			return nil, false, err
		}
	}
	if c == nil {
		c = a.insert(key)
		c.version, c.dcid, c.keys = h.version, bytes.Clone(h.dcid), keys
	}
	if pn > c.largest {
		c.largest = pn
	}
	err = walkFrames(plain, func(off uint64, data []byte) error { return a.addCrypto(c, off, data) })
	hello, complete, herr := c.hello()
	if herr != nil {
		a.finish(c)
		return nil, false, herr
	}
	if complete {
		out := bytes.Clone(hello)
		a.finish(c)
		return out, true, nil
	}
	return nil, false, err
}

// open decrypts pkt with the connection's keys, or with keys derived from
// the packet's own DCID (first packet, or a new DCID after a Retry).
func (a *Assembler) open(c *conn, pkt []byte, h *longHeader, largest int64) ([]byte, int64, *Keys, error) {
	if c != nil && c.version == h.version && bytes.Equal(c.dcid, h.dcid) {
		plain, pn, err := openInitial(a.scratch, pkt, h, c.keys, largest)
		return plain, pn, c.keys, err
	}
	var firstErr error
	if c != nil && c.version == h.version {
		plain, pn, err := openInitial(a.scratch, pkt, h, c.keys, largest)
		if err == nil {
			return plain, pn, c.keys, nil
		}
		firstErr = err
	}
	keys, ok := ClientInitialKeys(h.version, h.dcid)
	if !ok {
		return nil, 0, nil, ErrMalformed
	}
	plain, pn, err := openInitial(a.scratch, pkt, h, keys, largest)
	if err != nil {
		if firstErr != nil {
			err = firstErr
		}
		return nil, 0, nil, err
	}
	if c != nil {
		c.version, c.dcid, c.keys = h.version, bytes.Clone(h.dcid), keys
	}
	return plain, pn, keys, nil
}

// openNew decrypts pkt with keys derived from its own DCID when that DCID
// differs from the finished connection c's; it returns nil otherwise.
func (a *Assembler) openNew(pkt []byte, h *longHeader, c *conn) ([]byte, int64, *Keys) {
	if c.version == h.version && bytes.Equal(c.dcid, h.dcid) {
		return nil, 0, nil
	}
	keys, ok := ClientInitialKeys(h.version, h.dcid)
	if !ok {
		return nil, 0, nil
	}
	plain, pn, err := openInitial(a.scratch, pkt, h, keys, -1)
	if err != nil {
		return nil, 0, nil
	}
	return plain, pn, keys
}

// addCrypto stores one CRYPTO frame's data at its offset.
func (a *Assembler) addCrypto(c *conn, off uint64, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	if off > MaxClientHello || uint64(len(data)) > MaxClientHello-off {
		return ErrCryptoLimit
	}
	start, end := int(off), int(off)+len(data)
	if end > len(c.buf) {
		grow := end - len(c.buf)
		for a.buffered+grow > maxTotalBytes && a.evictOldest(c) {
		}
		c.buf = append(c.buf, make([]byte, grow)...)
		a.buffered += grow
	}
	copy(c.buf[start:end], data)
	c.have = addSpan(c.have, span{start, end})
	if len(c.have) > maxRanges {
		return ErrCryptoLimit
	}
	return nil
}

// addSpan inserts s into the sorted, merged list spans.
func addSpan(spans []span, s span) []span {
	out := spans[:0:0]
	placed := false
	for _, x := range spans {
		switch {
		case x.end < s.start:
			out = append(out, x)
		case s.end < x.start:
			if !placed {
				out = append(out, s)
				placed = true
			}
			out = append(out, x)
		default: // overlapping or adjacent: merge into s
			s.start, s.end = min(s.start, x.start), max(s.end, x.end)
		}
	}
	if !placed {
		out = append(out, s)
	}
	return out
}

// hello returns the ClientHello once the contiguous prefix holds it.
func (c *conn) hello() ([]byte, bool, error) {
	if len(c.have) == 0 || c.have[0].start != 0 {
		return nil, false, nil
	}
	prefix := c.have[0].end
	if prefix < 1 {
		return nil, false, nil
	}
	if c.buf[0] != 0x01 {
		return nil, false, ErrNotHello
	}
	if prefix < 4 {
		return nil, false, nil
	}
	need := 4 + (int(c.buf[1])<<16 | int(c.buf[2])<<8 | int(c.buf[3]))
	if need > MaxClientHello {
		return nil, false, ErrCryptoLimit
	}
	if prefix < need {
		return nil, false, nil
	}
	return c.buf[:need], true, nil
}

// finish marks c done and frees its buffer; the small entry stays so that
// retransmissions are not reported again.
func (a *Assembler) finish(c *conn) {
	a.buffered -= len(c.buf)
	c.buf, c.have, c.keys, c.done = nil, nil, nil, true
}

func (a *Assembler) lookup(key string) *conn {
	e, ok := a.conns[key]
	if !ok {
		return nil
	}
	a.lru.MoveToFront(e)
	return e.Value.(*conn)
}

func (a *Assembler) insert(key string) *conn {
	for len(a.conns) >= a.maxConns && a.evictOldest(nil) {
	}
	c := &conn{key: key, largest: -1}
	a.conns[key] = a.lru.PushFront(c)
	return c
}

// evictOldest drops the least recently used connection other than keep.
func (a *Assembler) evictOldest(keep *conn) bool {
	e := a.lru.Back()
	if e == nil || e.Value.(*conn) == keep {
		return false
	}
	c := e.Value.(*conn)
	a.lru.Remove(e)
	delete(a.conns, c.key)
	a.buffered -= len(c.buf)
	a.evicted++
	return true
}
