package netsum

import (
	"hash/maphash"
	"math"
	"slices"
	"strings"
	"time"
)

// MaxValues is the number of distinct values a Table keeps; more are
// counted as dropped and reported.
const MaxValues = 2_000_000

// Seen summarises every sighting of one value.
type Seen struct {
	Value    string    `json:"value"`
	First    time.Time `json:"first_seen,omitzero"`
	Last     time.Time `json:"last_seen,omitzero"`
	Count    int       `json:"count"`
	Artifact string    `json:"artifact"`          // file of the first sighting
	How      string    `json:"seen_as"`           // e.g. "dns query", "tls sni"
	Related  string    `json:"related,omitempty"` // e.g. the domain an IP was resolved from
}

// Ref names one value of a Table; None is no value (an empty or dropped
// one).
type Ref int32

// None is the Ref of no value.
const None Ref = -1

// Table dedupes values of one type. A log line costs one look-up per value
// and no allocation once the value is known.
//
// Layout (measured: docs/perf/network-logs.md): what a sighting reads and
// writes (hash, counters, first and last time, the memo of a related value,
// the key when it is short) is one 128-byte entry, two adjacent cache
// lines, in chunks that never move; an open-addressing index of 8-byte
// slots (32 bits of hash, entry number) finds it. A known value thus costs
// about two cache misses (slot, entry) where a map[string]*Seen cost four
// (control word, slot, key bytes, summary). The summaries handed out (Seen:
// value, first file, way, related value) live beside, one per entry, and
// get their counters when read through Sorted or Get. Times are kept as
// UTC seconds and nanoseconds, which order as time.Time does.
type Table struct {
	seed    maphash.Seed
	slots   []uint64  // hash>>32 << 32 | entry number + 1; 0 is empty
	hot     [][]entry // chunks of chunkLen entries
	cold    [][]Seen  // the summaries, same numbering
	n       int
	max     int // MaxValues
	Dropped int

	related *Table   // the table the memos of this one point into
	holders []*Table // tables whose memos point into this one
	dirty   bool     // some entry holds memo sightings not yet added
}

const (
	chunkBits = 9
	chunkLen  = 1 << chunkBits // 512 entries: a 64 KiB chunk, page-aligned
	inlineKey = 36             // key bytes kept in the entry
	memoLen   = 15             // longest memoised related value (an IPv4)
	minSlots  = 64
)

// zeroSec is time.Time{}.Unix(): the zero time is (zeroSec, 0).
var zeroSec = time.Time{}.Unix()

// entry is the hot part of a value: exactly 128 bytes (a test checks).
type entry struct {
	hash              uint64
	count             int64
	firstSec, lastSec int64
	firstNs, lastNs   int32
	memoTo            int32 // Ref+1 in related; 0: no memo
	pendN             int32 // sightings of the memo pair not yet added to it
	pendFirstSec      int64 // earliest non-zero time of those, or zeroSec
	pendLastSec       int64 // latest non-zero time of those, or math.MinInt64
	pendFirstNs       int32
	pendLastNs        int32
	keyLen            uint32
	memoLen           uint8
	memo              [memoLen]byte
	key               [inlineKey]byte
}

// NewTable returns an empty table.
func NewTable() *Table {
	return &Table{seed: maphash.MakeSeed(), slots: make([]uint64, minSlots), max: MaxValues}
}

// Len is the number of distinct values.
func (t *Table) Len() int { return t.n }

func (t *Table) entry(r Ref) *entry { return &t.hot[r>>chunkBits][r&(chunkLen-1)] }
func (t *Table) seen(r Ref) *Seen   { return &t.cold[r>>chunkBits][r&(chunkLen-1)] }

// Add records one sighting of v (a byte slice, not retained) and returns
// its summary, or nil when the table is full. It allocates only for a new
// value. The summary's Count, First and Last are filled in by Sorted and
// Get, not here.
func (t *Table) Add(v []byte, ts time.Time, artifact, how string) *Seen {
	return t.Summary(t.Sight(v, ts, artifact, how))
}

// Sight records one sighting of v (a byte slice, not retained) at ts and
// returns its Ref, or None when the table is full. It allocates only for a
// new value.
func (t *Table) Sight(v []byte, ts time.Time, artifact, how string) Ref {
	sec, ns := ts.Unix(), int32(ts.Nanosecond())
	h := maphash.Bytes(t.seed, v)
	slot, r := t.lookup(v, h)
	if r != None {
		t.entry(r).touch(sec, ns)
		return r
	}
	if t.n >= t.max {
		t.Dropped++
		return None
	}
	r = t.newEntry(v, h, artifact, how)
	e := t.entry(r)
	e.count, e.firstSec, e.firstNs, e.lastSec, e.lastNs = 1, sec, ns, sec, ns
	t.slots[slot] = h>>32<<32 | uint64(r+1)
	if 2*t.n > len(t.slots) {
		t.grow()
	}
	return r
}

// Summary returns the summary of r (nil for None), without its counters.
func (t *Table) Summary(r Ref) *Seen {
	if r == None {
		return nil
	}
	return t.seen(r)
}

// AddSummary records s's sightings as sightings of s.Value (first file and
// way from s when the value is new) and returns the table's summary of it,
// or nil when the table is full.
func (t *Table) AddSummary(s *Seen) *Seen {
	v := []byte(s.Value)
	h := maphash.Bytes(t.seed, v)
	slot, r := t.lookup(v, h)
	fs, fn := s.First.Unix(), int32(s.First.Nanosecond())
	ls, ln := s.Last.Unix(), int32(s.Last.Nanosecond())
	if r != None {
		t.entry(r).merge(int64(s.Count), fs, fn, ls, ln)
		return t.seen(r)
	}
	if t.n >= t.max {
		t.Dropped++
		return nil
	}
	r = t.newEntry(v, h, s.Artifact, s.How)
	e := t.entry(r)
	e.count, e.firstSec, e.firstNs, e.lastSec, e.lastNs = int64(s.Count), fs, fn, ls, ln
	t.slots[slot] = h>>32<<32 | uint64(r+1)
	if 2*t.n > len(t.slots) {
		t.grow()
	}
	return t.seen(r)
}

// Get returns the summary of v, or nil.
func (t *Table) Get(v string) *Seen {
	_, r := t.lookup([]byte(v), maphash.String(t.seed, v))
	if r == None {
		return nil
	}
	t.settle()
	return t.fill(r)
}

// Sorted returns the summaries ordered by value.
func (t *Table) Sorted() []*Seen {
	t.settle()
	out := make([]*Seen, t.n)
	for i := range out {
		out[i] = t.fill(Ref(i))
	}
	slices.SortFunc(out, func(a, b *Seen) int { return strings.Compare(a.Value, b.Value) })
	return out
}

// Again counts a sighting at ts of v, a value of the related table that
// Remember recorded for r, without looking v up; it reports false (and
// counts nothing) when v is not the value remembered for r.
func (t *Table) Again(r Ref, v []byte, ts time.Time) bool {
	if r == None {
		return false
	}
	e := t.entry(r)
	if e.memoTo == 0 || int(e.memoLen) != len(v) || string(e.memo[:e.memoLen]) != string(v) {
		return false
	}
	if e.pendN == 0 {
		e.pendFirstSec, e.pendFirstNs, e.pendLastSec, e.pendLastNs = zeroSec, 0, math.MinInt64, 0
		t.dirty = true
	}
	e.pendN++
	sec, ns := ts.Unix(), int32(ts.Nanosecond())
	if !isZero(sec, ns) {
		if isZero(e.pendFirstSec, e.pendFirstNs) || less(sec, ns, e.pendFirstSec, e.pendFirstNs) {
			e.pendFirstSec, e.pendFirstNs = sec, ns
		}
		if less(e.pendLastSec, e.pendLastNs, sec, ns) {
			e.pendLastSec, e.pendLastNs = sec, ns
		}
	}
	if e.pendN == math.MaxInt32 {
		t.flush(e)
	}
	return true
}

// Remember records v, whose summary in the table related is to, as the
// related value of r (the IPv4 answer of a DNS name), so that Again counts
// the next sightings of the pair without a look-up. Values longer than 15
// bytes are not remembered, and a table remembers values of one related
// table only.
func (t *Table) Remember(r Ref, v []byte, related *Table, to Ref) {
	if r == None || to == None || len(v) > memoLen || related == nil || related == t {
		return
	}
	if t.related == nil {
		t.related = related
		related.holders = append(related.holders, t)
	} else if t.related != related {
		return
	}
	e := t.entry(r)
	t.flush(e)
	e.memoLen = uint8(copy(e.memo[:], v))
	e.memoTo = int32(to) + 1
}

// flush adds the pending memo sightings of e to their value.
func (t *Table) flush(e *entry) {
	if e.pendN == 0 {
		return
	}
	t.related.entry(Ref(e.memoTo-1)).merge(int64(e.pendN), e.pendFirstSec, e.pendFirstNs, e.pendLastSec, e.pendLastNs)
	e.pendN = 0
}

// settle adds every pending memo sighting of the tables whose memos point
// into t.
func (t *Table) settle() {
	for _, h := range t.holders {
		if !h.dirty {
			continue
		}
		for _, chunk := range h.hot {
			for i := range chunk {
				h.flush(&chunk[i])
			}
		}
		h.dirty = false
	}
}

// fill copies r's counters into its summary and returns it.
func (t *Table) fill(r Ref) *Seen {
	e, s := t.entry(r), t.seen(r)
	s.Count = int(e.count)
	s.First = time.Unix(e.firstSec, int64(e.firstNs)).UTC()
	s.Last = time.Unix(e.lastSec, int64(e.lastNs)).UTC()
	return s
}

// lookup finds v (hash h): its slot and Ref, or the empty slot where it
// goes and None.
func (t *Table) lookup(v []byte, h uint64) (int, Ref) {
	mask := uint64(len(t.slots) - 1)
	tag := h >> 32
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return int(i), None
		}
		if s>>32 == tag {
			r := Ref(uint32(s) - 1)
			if t.equal(r, h, v) {
				return int(i), r
			}
		}
	}
}

// equal reports whether entry r holds v (hash h).
func (t *Table) equal(r Ref, h uint64, v []byte) bool {
	e := t.entry(r)
	if e.hash != h || int(e.keyLen) != len(v) {
		return false
	}
	if len(v) <= inlineKey {
		return string(e.key[:len(v)]) == string(v)
	}
	return string(e.key[:]) == string(v[:inlineKey]) && t.seen(r).Value[inlineKey:] == string(v[inlineKey:])
}

// newEntry appends an entry for v with hash h; its counters are the
// caller's to set.
func (t *Table) newEntry(v []byte, h uint64, artifact, how string) Ref {
	r := Ref(t.n)
	if t.n&(chunkLen-1) == 0 {
		t.hot = append(t.hot, make([]entry, chunkLen))
		t.cold = append(t.cold, make([]Seen, chunkLen))
	}
	t.n++
	e := t.entry(r)
	e.hash = h
	e.keyLen = uint32(len(v))
	copy(e.key[:], v)
	*t.seen(r) = Seen{Value: string(v), Artifact: artifact, How: how}
	return r
}

// grow doubles the index.
func (t *Table) grow() {
	t.slots = make([]uint64, 2*len(t.slots))
	mask := uint64(len(t.slots) - 1)
	for r := Ref(0); int(r) < t.n; r++ {
		h := t.entry(r).hash
		i := h & mask
		for t.slots[i] != 0 {
			i = (i + 1) & mask
		}
		t.slots[i] = h>>32<<32 | uint64(r+1)
	}
}

// touch records one sighting at (sec, ns): the same rule as
// merge(1, sec, ns, sec, ns).
func (e *entry) touch(sec int64, ns int32) {
	e.count++
	if isZero(sec, ns) {
		return
	}
	if isZero(e.firstSec, e.firstNs) || less(sec, ns, e.firstSec, e.firstNs) {
		e.firstSec, e.firstNs = sec, ns
	}
	if less(e.lastSec, e.lastNs, sec, ns) {
		e.lastSec, e.lastNs = sec, ns
	}
}

// merge adds n sightings whose earliest non-zero time is first (zero when
// none) and latest last: the first time is the earliest non-zero one, the
// last the latest one.
func (e *entry) merge(n int64, fs int64, fn int32, ls int64, ln int32) {
	e.count += n
	if !isZero(fs, fn) && (isZero(e.firstSec, e.firstNs) || less(fs, fn, e.firstSec, e.firstNs)) {
		e.firstSec, e.firstNs = fs, fn
	}
	if !isZero(ls, ln) && less(e.lastSec, e.lastNs, ls, ln) {
		e.lastSec, e.lastNs = ls, ln
	}
}

func isZero(sec int64, ns int32) bool { return sec == zeroSec && ns == 0 }

func less(as int64, an int32, bs int64, bn int32) bool {
	return as < bs || (as == bs && an < bn)
}
