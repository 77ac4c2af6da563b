package dissect

import (
	"cmp"
	"net/netip"
	"slices"
	"sort"
)

// Defragmenter reassembles IPv4 and IPv6 fragments with bounded memory: at
// most maxDatagrams in progress, at most maxBytes buffered in all, 64 KiB per
// datagram, and a 30 s timeout. Overlaps are counted; the lowest-offset piece
// wins. A datagram whose fragments never all arrive is not lost silently:
// when it expires (or at Flush), the part received from offset 0 onwards is
// queued as an Incomplete datagram for the caller to read what it can.
type Defragmenter struct {
	maxDatagrams, maxBytes int
	held                   int
	pending                map[fragKey]*fragDatagram
	out                    []byte
	incomplete             []Incomplete
	free                   []*fragDatagram // ended datagrams, for reuse (bounded)
	// Counters per reason.
	Reassembled, Dropped, Expired, Overlaps uint64
	GivenUp                                 uint64 // datagrams never completed (expired or flushed)
	Incompletes                             uint64 // of those, the ones whose start was queued
}

// Incomplete is the start of a datagram whose other fragments never arrived.
type Incomplete struct {
	Src, Dst netip.Addr
	Proto    uint8
	Data     []byte // the bytes from offset 0 up to the first hole
	Time     int64  // when the first fragment arrived
}

type fragKey struct {
	src, dst netip.Addr
	proto    uint8
	id       uint32
}

// fragPiece is one fragment: its offset in the datagram and where its
// bytes are in the datagram's buffer.
type fragPiece struct {
	off    int
	lo, hi int // the fragment's bytes are buf[lo:hi]
}

// fragDatagram is a datagram in progress. Its fragments' bytes are copied
// one after the other into buf, so a fragment costs no allocation once a
// datagram and its buffer are reused (see Defragmenter.free).
type fragDatagram struct {
	pieces  []fragPiece
	buf     []byte
	total   int // -1 until the last fragment is seen
	size    int
	started int64
}

// data is the bytes of piece p.
func (g *fragDatagram) data(p fragPiece) []byte { return g.buf[p.lo:p.hi] }

const (
	fragTimeout   = 30e9
	maxIncomplete = 32
	// maxFreeDatagrams and maxFreeBuf bound the ended datagrams kept for
	// reuse and the buffer each keeps (at most 512 KiB in all).
	maxFreeDatagrams = 32
	maxFreeBuf       = 16 << 10
)

// NewDefragmenter returns a defragmenter with the given bounds.
func NewDefragmenter(maxDatagrams, maxBytes int) *Defragmenter {
	return &Defragmenter{maxDatagrams: maxDatagrams, maxBytes: maxBytes, pending: map[fragKey]*fragDatagram{}}
}

// Add adds one fragment (id is the IPv4 16-bit or IPv6 32-bit
// identification). When it completes a datagram, it returns the
// reassembled payload (valid until the next Add) and true.
func (d *Defragmenter) Add(src, dst netip.Addr, proto uint8, id uint32, off int, more bool, data []byte, now int64) ([]byte, bool) {
	k := fragKey{src, dst, proto, id}
	g := d.pending[k]
	if g == nil {
		d.expire(now)
		if len(d.pending) >= d.maxDatagrams || d.held+len(data) > d.maxBytes {
			d.Dropped++
			return nil, false
		}
		g = d.newDatagram(now)
		d.pending[k] = g
	}
	end := off + len(data)
	if end > 65535 || d.held+len(data) > d.maxBytes {
		d.drop(k, g)
		d.Dropped++
		return nil, false
	}
	if !more {
		g.total = end
	}
	lo := len(g.buf)
	g.buf = append(g.buf, data...)
	g.pieces = append(g.pieces, fragPiece{off, lo, len(g.buf)})
	g.size += len(data)
	d.held += len(data)
	if g.total < 0 {
		return nil, false
	}
	sortPieces(g.pieces)
	have, overlaps := contiguous(g.pieces)
	if have < g.total {
		return nil, false
	}
	d.Overlaps += uint64(overlaps)
	if cap(d.out) < g.total {
		d.out = make([]byte, g.total)
	}
	out := d.out[:g.total]
	fill(out, g)
	d.drop(k, g)
	d.Reassembled++
	return out, true
}

// contiguous returns how many bytes from offset 0 the sorted pieces cover
// without a hole, and how many pieces overlap others.
func contiguous(pieces []fragPiece) (have, overlaps int) {
	for _, p := range pieces {
		if p.off > have {
			return have, overlaps
		}
		if p.off < have {
			overlaps++
		}
		if e := p.off + p.hi - p.lo; e > have {
			have = e
		}
	}
	return have, overlaps
}

// fill copies g's sorted pieces into out in reverse offset order so that,
// on overlap, the piece with the lowest offset wins.
func fill(out []byte, g *fragDatagram) {
	for i := len(g.pieces) - 1; i >= 0; i-- {
		if p := g.pieces[i]; p.off < len(out) {
			copy(out[p.off:], g.data(p))
		}
	}
}

// newDatagram starts a datagram first seen now: an ended one reused, or a
// new one.
func (d *Defragmenter) newDatagram(now int64) *fragDatagram {
	if n := len(d.free); n > 0 {
		g := d.free[n-1]
		d.free = d.free[:n-1]
		g.total, g.started = -1, now
		return g
	}
	return &fragDatagram{total: -1, started: now}
}

// drop ends a datagram (reassembled, given up or dropped) and keeps it for
// reuse if its buffer is small: nothing holds its pieces once it ends (the
// reassembled payload is d.out, an incomplete one a copy).
func (d *Defragmenter) drop(k fragKey, g *fragDatagram) {
	d.held -= g.size
	delete(d.pending, k)
	if len(d.free) < maxFreeDatagrams && cap(g.buf) <= maxFreeBuf {
		*g = fragDatagram{pieces: g.pieces[:0], buf: g.buf[:0]}
		d.free = append(d.free, g)
	}
}

// giveUp ends an incomplete datagram, queueing what arrived from offset 0.
func (d *Defragmenter) giveUp(k fragKey, g *fragDatagram) {
	d.GivenUp++
	sortPieces(g.pieces)
	if have, _ := contiguous(g.pieces); have > 0 && len(d.incomplete) < maxIncomplete {
		out := make([]byte, have)
		fill(out, g)
		d.incomplete = append(d.incomplete, Incomplete{Src: k.src, Dst: k.dst, Proto: k.proto, Data: out, Time: g.started})
		d.Incompletes++
	}
	d.drop(k, g)
}

func (d *Defragmenter) expire(now int64) {
	for k, g := range d.pending {
		if now-g.started > fragTimeout {
			d.giveUp(k, g)
			d.Expired++
		}
	}
}

// Flush gives up on every datagram still waiting for fragments (at the end
// of a capture); their starts are queued like expired ones.
func (d *Defragmenter) Flush() {
	keys := make([]fragKey, 0, len(d.pending))
	for k := range d.pending {
		keys = append(keys, k)
	}
	// a fixed order, so that two passes give the same results
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if c := a.src.Compare(b.src); c != 0 {
			return c < 0
		}
		if c := a.dst.Compare(b.dst); c != 0 {
			return c < 0
		}
		return a.id < b.id
	})
	for _, k := range keys {
		d.giveUp(k, d.pending[k])
	}
}

// TakeIncomplete returns the incomplete datagrams queued since the last
// call, oldest first.
func (d *Defragmenter) TakeIncomplete() []Incomplete {
	q := d.incomplete
	d.incomplete = nil
	sort.SliceStable(q, func(i, j int) bool { return q[i].Time < q[j].Time })
	return q
}

// HasIncomplete reports whether incomplete datagrams are queued.
func (d *Defragmenter) HasIncomplete() bool { return len(d.incomplete) > 0 }

// Pending is the number of datagrams waiting for fragments.
func (d *Defragmenter) Pending() int { return len(d.pending) }

// sortPieces orders fragments by offset. slices.SortFunc runs the same
// pattern-defeating quicksort as sort.Slice (one generator makes both), so
// fragments at equal offsets keep the order they had, without sort.Slice's
// reflection allocation per call.
func sortPieces(ps []fragPiece) {
	slices.SortFunc(ps, func(x, y fragPiece) int { return cmp.Compare(x.off, y.off) })
}
