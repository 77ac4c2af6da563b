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
	base    int    // CRYPTO offset of buf[0]: where the next ClientHello starts
	buf     []byte // CRYPTO stream bytes from base
	have    []span // received ranges (relative to base), sorted and merged
	hellos  int    // ClientHellos delivered
	done    bool   // every ClientHello delivered, or stream given up
}

// MaxHellos bounds the ClientHellos delivered per connection: the first,
// the one after a HelloRetryRequest, and those after a Retry or a version
// negotiation (new keys).
const MaxHellos = 4

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
// Each time the CRYPTO stream of that connection completes a TLS
// ClientHello, it returns the handshake message (type 0x01, 3-byte length,
// body) and the QUIC version, with ok=true: the first ClientHello, the
// second one after a HelloRetryRequest (later in the same stream), and the
// one sent again after a Retry or a version negotiation (new keys), at most
// MaxHellos per connection. Packets that are not Initial packets are
// skipped. err reports the first problem met in the datagram (a sentinel of
// this package) when no ClientHello was completed.
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
	switch {
	case c != nil && c.done && c.version == h.version && bytes.Equal(c.dcid, h.dcid):
		return nil, false, nil // a retransmission, or the client's later Initials
	case c != nil && c.keys != nil && c.version == h.version && bytes.Equal(c.dcid, h.dcid):
		var err error
		if plain, pn, err = openInitial(a.scratch, pkt, h, c.keys, c.largest); err != nil {
			return nil, false, err
		}
	case c != nil && !c.done && c.keys != nil && c.version == h.version && a.opens(pkt, h, c):
		// the client addresses the server's chosen connection ID but keeps
		// the Initial keys of its first one (RFC 9001 §5.2)
		plain, pn, _ = openInitial(a.scratch, pkt, h, c.keys, c.largest)
	default:
		// the first packet, or new keys: a Retry's new DCID, a version
		// after version negotiation, or a new connection on the same ports
		p, n, keys, err := a.openFresh(pkt, h)
		if err != nil {
			if c != nil && c.done {
				return nil, false, nil
			}
			return nil, false, err
		}
		plain, pn = p, n
		if c == nil {
			c = a.insert(key)
		}
		if c.hellos >= MaxHellos {
			return nil, false, nil
		}
		a.buffered -= len(c.buf)
		c.version, c.dcid, c.keys, c.largest = h.version, bytes.Clone(h.dcid), keys, -1
		c.base, c.buf, c.have, c.done = 0, nil, nil, false
	}
	if pn > c.largest {
		c.largest = pn
	}
	walk := walkFrames
	if lookupVersion(h.version).gquic {
		walk = walkFramesGQUIC
	}
	err := walk(plain, func(off uint64, data []byte) error { return a.addCrypto(c, off, data) })
	hello, complete, herr := c.hello()
	if herr != nil {
		a.finish(c)
		return nil, false, herr
	}
	if complete {
		out := bytes.Clone(hello)
		a.next(c, len(hello))
		return out, true, nil
	}
	return nil, false, err
}

// opens reports whether the connection's keys open pkt.
func (a *Assembler) opens(pkt []byte, h *longHeader, c *conn) bool {
	_, _, err := openInitial(a.scratch, pkt, h, c.keys, c.largest)
	return err == nil
}

// openFresh decrypts pkt with keys derived from its own DCID, trying every
// salt its version may use.
func (a *Assembler) openFresh(pkt []byte, h *longHeader) ([]byte, int64, *Keys, error) {
	cands := candidateKeys(h.version, h.dcid)
	if len(cands) == 0 {
		return nil, 0, nil, ErrMalformed
	}
	var firstErr error
	for _, k := range cands {
		plain, pn, err := openInitial(a.scratch, pkt, h, k, -1)
		if err == nil {
			return plain, pn, k, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, 0, nil, firstErr
}

// addCrypto stores one CRYPTO frame's data at its offset; data before the
// current ClientHello (a retransmission of an earlier one) is dropped.
func (a *Assembler) addCrypto(c *conn, off uint64, data []byte) error {
	if len(data) == 0 {
		return nil
	}
	if off > MaxClientHello*MaxHellos || uint64(len(data)) > MaxClientHello*MaxHellos-off {
		return ErrCryptoLimit
	}
	start, end := int(off)-c.base, int(off)+len(data)-c.base
	if end <= 0 {
		return nil
	}
	if start < 0 {
		data, start = data[-start:], 0
	}
	if end > MaxClientHello {
		return ErrCryptoLimit
	}
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

// next moves past a delivered ClientHello of n bytes: a later one (after a
// HelloRetryRequest) starts at the following offset.
func (a *Assembler) next(c *conn, n int) {
	c.hellos++
	if c.hellos >= MaxHellos {
		a.finish(c)
		return
	}
	rest := c.buf[n:]
	a.buffered -= len(c.buf)
	c.base += n
	c.buf = append([]byte(nil), rest...)
	a.buffered += len(c.buf)
	var have []span
	for _, sp := range c.have {
		if sp.end > n {
			have = append(have, span{max(sp.start-n, 0), sp.end - n})
		}
	}
	c.have = have
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
	c.buf, c.have, c.done = nil, nil, true
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
