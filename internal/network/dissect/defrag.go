package dissect

import (
	"net/netip"
	"sort"
)

// Defragmenter reassembles IPv4 fragments with bounded memory: at most
// maxDatagrams in progress, at most maxBytes buffered in all, 64 KiB per
// datagram, and a 30 s timeout. Overlaps are counted; the lowest-offset piece wins.
type Defragmenter struct {
	maxDatagrams, maxBytes int
	held                   int
	pending                map[fragKey]*fragDatagram
	out                    []byte
	// Counters per reason.
	Reassembled, Dropped, Expired, Overlaps uint64
}

type fragKey struct {
	src, dst netip.Addr
	proto    uint8
	id       uint16
}

type fragPiece struct {
	off  int
	data []byte
}

type fragDatagram struct {
	pieces  []fragPiece
	total   int // -1 until the last fragment is seen
	size    int
	started int64
}

const fragTimeout = 30e9

// NewDefragmenter returns a defragmenter with the given bounds.
func NewDefragmenter(maxDatagrams, maxBytes int) *Defragmenter {
	return &Defragmenter{maxDatagrams: maxDatagrams, maxBytes: maxBytes, pending: map[fragKey]*fragDatagram{}}
}

// Add adds one fragment. When it completes a datagram, it returns the
// reassembled payload (valid until the next Add) and true.
func (d *Defragmenter) Add(src, dst netip.Addr, proto uint8, id uint16, off int, more bool, data []byte, now int64) ([]byte, bool) {
	k := fragKey{src, dst, proto, id}
	g := d.pending[k]
	if g == nil {
		d.expire(now)
		if len(d.pending) >= d.maxDatagrams || d.held+len(data) > d.maxBytes {
			d.Dropped++
			return nil, false
		}
		g = &fragDatagram{total: -1, started: now}
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
	g.pieces = append(g.pieces, fragPiece{off, append([]byte(nil), data...)})
	g.size += len(data)
	d.held += len(data)
	if g.total < 0 {
		return nil, false
	}
	sort.Slice(g.pieces, func(i, j int) bool { return g.pieces[i].off < g.pieces[j].off })
	have := 0
	for _, p := range g.pieces {
		if p.off > have {
			return nil, false // hole
		}
		if p.off < have {
			d.Overlaps++
		}
		if e := p.off + len(p.data); e > have {
			have = e
		}
	}
	if have < g.total {
		return nil, false
	}
	if cap(d.out) < g.total {
		d.out = make([]byte, g.total)
	}
	out := d.out[:g.total]
	// copy in reverse offset order so that, on overlap, the piece with the
	// lowest offset wins
	for i := len(g.pieces) - 1; i >= 0; i-- {
		p := g.pieces[i]
		if p.off < len(out) {
			copy(out[p.off:], p.data)
		}
	}
	d.drop(k, g)
	d.Reassembled++
	return out, true
}

func (d *Defragmenter) drop(k fragKey, g *fragDatagram) {
	d.held -= g.size
	delete(d.pending, k)
}

func (d *Defragmenter) expire(now int64) {
	for k, g := range d.pending {
		if now-g.started > fragTimeout {
			d.drop(k, g)
			d.Expired++
		}
	}
}

// Pending is the number of datagrams waiting for fragments.
func (d *Defragmenter) Pending() int { return len(d.pending) }
