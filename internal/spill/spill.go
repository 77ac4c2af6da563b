// Package spill sorts more items than fit in memory: items are buffered up
// to a byte budget, each full buffer is sorted and written to a temporary
// file as a sorted run, and Each merges the runs (k-way, with a heap) into
// one sorted stream. Memory is the budget plus the merge's read buffers
// (2 MiB at most: past 128 runs, runs are first merged into longer ones),
// whatever the number of items. A Sorter can be merged any number of times
// until Close removes its files; several Sorters are merged together with
// Merge. The last, partial buffer that a merge (or Flush) sorts stays in
// memory, encoded as a file run would be, while a sorter's runs kept so
// add up to memRuns bytes at most: a small sort then writes no file. A
// sorter that made no run yet, merged alone, is read from its buffer,
// sorted, without encoding when its codec round-trips (Codec.RoundTrip).
package spill

import (
	"bufio"
	"bytes"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"sync"
)

// Codec encodes and orders the items of a Sorter.
type Codec[T any] struct {
	// Append appends the encoding of v to dst.
	Append func(dst []byte, v *T) []byte
	// Decode reads one item from its encoding (as written by Append).
	Decode func(src []byte, v *T) error
	// Compare orders items (negative when a sorts before b).
	Compare func(a, b *T) int
	// Size is the approximate memory one buffered item holds, in bytes.
	Size func(v *T) int
	// Key, if set, is a sort key of an item that orders as Compare does
	// as far as it goes: items whose keys differ (the number first, then
	// the string) are in the order of their keys, items whose keys are
	// equal are left to Compare. A sort of a full buffer then compares
	// keys kept beside the items' positions and reads the items themselves
	// only on ties (comparing items scattered over a buffer of megabytes
	// was mostly waiting for memory).
	Key func(v *T) (uint64, string)
	// RoundTrip says that Decode gives back exactly what Append encoded,
	// field for field (a test of the codec holds it to that): a sorter
	// that has not spilled is then merged alone from its buffer, sorted,
	// without encoding its items into a run and decoding them at every
	// reading.
	RoundTrip bool
}

// ErrCorrupt is returned when a run file does not decode.
var ErrCorrupt = errors.New("spill: corrupt run")

const (
	// runBuffer is the write buffer of a run, and its read buffer during
	// a merge of few runs.
	runBuffer = 64 << 10
	// minRunBuffer is the smallest read buffer of a run: a merge of many
	// runs shares mergeBuffers between them, down to this.
	minRunBuffer = 16 << 10
	// mergeBuffers bounds the read buffers of one merge, all runs together.
	mergeBuffers = 2 << 20
	// memRuns bounds the encoded runs one sorter keeps in memory (the
	// Manifest index's budget: a backup of a few thousand files, its
	// timeline and observables then sort without a file).
	memRuns = 4 << 20
)

// maxFanIn is the most runs one merge reads at once; a merge of more first
// merges consecutive runs of each sorter into longer ones, once (a
// variable for the tests).
var maxFanIn = mergeBuffers / minRunBuffer

// runRef is a sorted run: a file, or its encoding kept in memory (data).
type runRef struct {
	name string
	data []byte
}

// Sorter collects items and spills sorted runs to dir. It is safe for
// concurrent use.
type Sorter[T any] struct {
	codec  Codec[T]
	dir    string
	budget int

	mu     sync.Mutex
	buf    []T
	sorted int // buf is a sorted copy made by sortedBuffer: its first sorted items are in order
	used   int
	runs   []runRef
	mem    int // bytes of the runs kept in memory
	n      int
	err    error
	enc    []byte
}

// New returns a Sorter that writes its runs in dir and keeps at most about
// budget bytes of items in memory.
func New[T any](dir string, budget int, c Codec[T]) *Sorter[T] {
	return &Sorter[T]{codec: c, dir: dir, budget: budget}
}

// Add buffers v, spilling a sorted run when the budget is reached.
func (s *Sorter[T]) Add(v T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addLocked(&v)
	return s.err
}

// AddAll buffers each of vs, in order, as Add does, under one lock.
func (s *Sorter[T]) AddAll(vs []T) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range vs {
		s.addLocked(&vs[i])
	}
	return s.err
}

// addLocked buffers a copy of *v unless the sorter failed.
func (s *Sorter[T]) addLocked(v *T) {
	if s.err != nil {
		return
	}
	if len(s.buf) == cap(s.buf) {
		// Not slices.Grow: append's own growth past the size asked for
		// would round the last step up to the doubling again.
		buf := make([]T, len(s.buf), len(s.buf)+s.growth())
		copy(buf, s.buf)
		s.buf = buf
	}
	s.buf = append(s.buf, *v)
	// Size reads the buffered copy: handing it the caller's v would move
	// every v to the heap (one allocation per item added).
	s.used += s.codec.Size(&s.buf[len(s.buf)-1])
	s.n++
	if s.used >= s.budget {
		s.err = s.spillLocked(false)
	}
}

// growth is how many items a full buffer grows by: as many as it holds
// (append grows a large slice by a quarter, which allocates and copies
// about five times what the buffer ends up holding), but no more than the
// budget still has room for at the items' mean size so far, and a quarter
// of the buffer more (the last doubling before a spill was mostly left
// unused; the quarter spares another copy when later items are smaller).
func (s *Sorter[T]) growth() int {
	n := max(64, len(s.buf))
	if len(s.buf) > 0 {
		mean := max(1, s.used/len(s.buf))
		n = min(n, max(64, (s.budget-s.used)/mean+len(s.buf)/4))
	}
	return n
}

// Len is the number of items added.
func (s *Sorter[T]) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Flush writes the buffered items as a run, freeing their memory (the
// run stays in memory, encoded, if the sorter's memory runs have room).
func (s *Sorter[T]) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil && len(s.buf) > 0 {
		s.err = s.spillLocked(true)
	}
	return s.err
}

// spillLocked writes the buffered items, sorted, as a run: in memory when
// inMemory and memRuns has room for its encoding, in a file otherwise.
func (s *Sorter[T]) spillLocked(inMemory bool) error {
	order := s.orderLocked()
	var err error
	if inMemory && s.used <= memRuns-s.mem {
		err = s.memRunLocked(order)
	} else {
		err = s.fileRunLocked(order)
	}
	if err != nil {
		return err
	}
	if s.sorted > 0 {
		s.buf = nil // a copy that sortedBuffer handed out: a merge may still read it
	} else {
		clear(s.buf)
		s.buf = s.buf[:0]
	}
	s.used, s.sorted = 0, 0
	return nil
}

// orderLocked returns the positions of the buffered items in sorted
// order. Positions are sorted, not items: items are large, and comparing
// copies through a function value would move each copy to the heap.
// Equal items keep the order they were added in (as a stable sort would
// leave them), by their position: an unstable sort with that tie break is
// faster than a stable one.
func (s *Sorter[T]) orderLocked() []int32 {
	if s.codec.Key != nil {
		return s.orderByKeyLocked()
	}
	order := make([]int32, len(s.buf))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := s.codec.Compare(&s.buf[a], &s.buf[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return order
}

// sortKey is an item's Codec.Key number, a second word of its string and
// its position in the buffer (the string is Codec.Key's again on ties
// only: the smaller the keys, the less a sort moves, and no slice of the
// strings is allocated beside them).
type sortKey struct {
	n, w uint64
	pos  int32
}

// keyGroups is the size of orderByKeyLocked's table of key numbers whose
// strings it finds a common prefix of.
const keyGroups = 1024

// keyGroup is one entry of that table: the number that holds it, a count
// for that (see keyWords), and its strings' common prefix so far.
type keyGroup struct {
	n     uint64
	count int
	first string
	lcp   int
	held  bool
}

// orderByKeyLocked is orderLocked by the codec's Key, then Compare, then
// position. Keys of one number often share a long start of their strings
// (paths under one folder, hashes of one generator), which a comparison
// of the strings would read again each time: each key also holds, as a
// word, the 8 bytes of its string after the prefix that every string of
// its number shares (keyWords), compared before the strings.
func (s *Sorter[T]) orderByKeyLocked() []int32 {
	keys := make([]sortKey, len(s.buf))
	for i := range keys {
		n, _ := s.codec.Key(&s.buf[i])
		keys[i] = sortKey{n: n, pos: int32(i)}
	}
	keyWords(keys, func(i int32) string { _, str := s.codec.Key(&s.buf[i]); return str })
	slices.SortFunc(keys, func(a, b sortKey) int {
		if a.n != b.n {
			return cmp.Compare(a.n, b.n)
		}
		if a.w != b.w {
			return cmp.Compare(a.w, b.w)
		}
		_, as := s.codec.Key(&s.buf[a.pos])
		_, bs := s.codec.Key(&s.buf[b.pos])
		if c := strings.Compare(as, bs); c != 0 {
			return c
		}
		if c := s.codec.Compare(&s.buf[a.pos], &s.buf[b.pos]); c != 0 {
			return c
		}
		return cmp.Compare(a.pos, b.pos)
	})
	order := make([]int32, len(keys))
	for j := range keys {
		order[j] = keys[j].pos
	}
	return order
}

// keyWords sets each key's word: its string's 8 bytes after the common
// prefix of all strings of its number, if its number holds an entry of
// the table, or its first 8 bytes otherwise (words are only compared
// between keys of one number). Each entry goes to the number most of its
// keys have (a majority vote: a number unlike the holder's takes one from
// its count, and the entry when the count is zero), so that a few
// numbers with many keys each are not kept out by many numbers of one key
// (hashes); the prefixes are then found for the holders.
func keyWords(keys []sortKey, str func(pos int32) string) {
	groups := make([]keyGroup, keyGroups)
	for i := range keys {
		g := &groups[groupOf(keys[i].n)]
		switch {
		case g.count == 0:
			g.n, g.count = keys[i].n, 1
		case g.n == keys[i].n:
			g.count++
		default:
			g.count--
		}
	}
	for i := range keys {
		k := &keys[i]
		g := &groups[groupOf(k.n)]
		if g.count == 0 || g.n != k.n {
			continue
		}
		if str := str(k.pos); !g.held {
			g.first, g.lcp, g.held = str, len(str), true
		} else {
			g.lcp = commonPrefix(g.first[:g.lcp], str)
		}
	}
	for i := range keys {
		k := &keys[i]
		at := 0
		if g := &groups[groupOf(k.n)]; g.count > 0 && g.n == k.n {
			at = g.lcp
		}
		k.w = word(str(k.pos), at)
	}
}

// groupOf is the table entry of a key's number.
func groupOf(n uint64) int { return int((n * 0x9e3779b97f4a7c15) >> 54) } // top 10 bits: keyGroups

// commonPrefix is the length of the longest common prefix of a and b.
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && a[i:i+8] == b[i:i+8] {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

// word is the 8 bytes of s from offset at on, big-endian, zeros past its
// end: of two strings that share their first at bytes, the one with the
// lower word is the lower string (equal words leave them undecided).
func word(s string, at int) uint64 {
	var w uint64
	for j := range 8 {
		w <<= 8
		if at+j < len(s) {
			w |= uint64(s[at+j])
		}
	}
	return w
}

// sortedBuffer returns every item, sorted, when they are all still in the
// buffer (no run was made) and the codec round-trips: the buffer is then
// replaced by a sorted copy, kept for the next merge. The copy is full
// (length = capacity), so an Add after it grows a new buffer and a spill
// drops it: the caller reads it without the lock.
func (s *Sorter[T]) sortedBuffer() ([]T, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.codec.RoundTrip || s.err != nil || len(s.runs) > 0 {
		return nil, false
	}
	if s.sorted < len(s.buf) {
		order := s.orderLocked()
		sorted := make([]T, len(s.buf))
		for j, i := range order {
			sorted[j] = s.buf[i]
		}
		s.buf, s.sorted = sorted, len(sorted)
	}
	return s.buf[:s.sorted:s.sorted], true
}

// appendItem appends the run encoding of buf[i] (length, then item).
func (s *Sorter[T]) appendItem(dst []byte, i int32) []byte {
	s.enc = s.codec.Append(s.enc[:0], &s.buf[i])
	dst = binary.AppendUvarint(dst, uint64(len(s.enc)))
	return append(dst, s.enc...)
}

// memRunLocked keeps the run in memory, or writes it to a file if its
// encoding turns out larger than the room left.
func (s *Sorter[T]) memRunLocked(order []int32) error {
	// The items' Size is about their encoding's, or more: one allocation.
	data := make([]byte, 0, s.used)
	for _, i := range order {
		data = s.appendItem(data, i)
		if len(data) > memRuns-s.mem {
			return s.fileRunLocked(order)
		}
	}
	s.mem += len(data)
	s.runs = append(s.runs, runRef{name: "memory run", data: data})
	return nil
}

// fileRunLocked writes the run to a new file.
func (s *Sorter[T]) fileRunLocked(order []int32) error {
	f, err := os.CreateTemp(s.dir, "run-*")
	if err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	w := bufio.NewWriterSize(f, runBuffer)
	var rec []byte
	for _, i := range order {
		rec = s.appendItem(rec[:0], i)
		w.Write(rec)
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("spill: %s: %w", f.Name(), err)
	}
	s.runs = append(s.runs, runRef{name: f.Name()})
	return nil
}

// Each calls fn with every item in sorted order. The item is only valid
// during the call. Items still in memory are spilled first, unless none
// was spilled yet and the codec round-trips (sortedBuffer).
func (s *Sorter[T]) Each(fn func(*T) error) error {
	return Merge(fn, s)
}

// Close removes the run files.
func (s *Sorter[T]) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, r := range s.runs {
		if r.data != nil {
			continue
		}
		if err := os.Remove(r.name); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	s.runs, s.buf, s.mem, s.sorted = nil, nil, 0, 0
	return errors.Join(errs...)
}

// Merge calls fn with the items of every sorter, in one sorted stream (the
// codec of the first sorter orders them; equal items keep the order of the
// sorters, then of their runs).
func Merge[T any](fn func(*T) error, sorters ...*Sorter[T]) error {
	if len(sorters) == 0 {
		return nil
	}
	if len(sorters) == 1 {
		if items, ok := sorters[0].sortedBuffer(); ok {
			var it T // a copy for every item, as a run decodes into one: fn may change it
			for i := range items {
				it = items[i]
				if err := fn(&it); err != nil {
					return err
				}
			}
			return nil
		}
	}
	total := 0
	for _, s := range sorters {
		if err := s.Flush(); err != nil {
			return err
		}
		s.mu.Lock()
		total += len(s.runs)
		s.mu.Unlock()
	}
	var runs []runRef
	for _, s := range sorters {
		s.mu.Lock()
		if total > maxFanIn && s.err == nil {
			s.err = s.compactLocked(max(1, maxFanIn/len(sorters)))
		}
		err := s.err
		runs = append(runs, s.runs...)
		s.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return mergeRuns(runs, sorters[0].codec, func(r *run[T]) error { return fn(&r.item) })
}

// compactLocked merges consecutive runs into longer ones until there are
// at most limit, each merge reading at most maxFanIn runs; the order of
// equal items is kept.
func (s *Sorter[T]) compactLocked(limit int) error {
	for len(s.runs) > limit {
		g := min(maxFanIn, (len(s.runs)+limit-1)/limit)
		var next []runRef
		for i := 0; i < len(s.runs); i += g {
			group := s.runs[i:min(i+g, len(s.runs))]
			if len(group) == 1 {
				next = append(next, group[0])
				continue
			}
			name, err := s.mergeToRun(group)
			if err != nil {
				s.runs = append(next, s.runs[i:]...)
				return err
			}
			next = append(next, runRef{name: name})
			for _, r := range group {
				if r.data != nil {
					s.mem -= len(r.data)
				} else {
					os.Remove(r.name)
				}
			}
		}
		s.runs = next
	}
	return nil
}

// mergeToRun writes the merge of runs as one new run, copying each item's
// encoding as it is.
func (s *Sorter[T]) mergeToRun(runs []runRef) (string, error) {
	f, err := os.CreateTemp(s.dir, "run-*")
	if err != nil {
		return "", fmt.Errorf("spill: %w", err)
	}
	w := bufio.NewWriterSize(f, runBuffer)
	err = mergeRuns(runs, s.codec, func(r *run[T]) error {
		var hdr [binary.MaxVarintLen64]byte
		w.Write(hdr[:binary.PutUvarint(hdr[:], uint64(len(r.buf)))])
		_, err := w.Write(r.buf)
		return err
	})
	if err := errors.Join(err, w.Flush(), f.Close()); err != nil {
		os.Remove(f.Name())
		return "", fmt.Errorf("spill: %s: %w", f.Name(), err)
	}
	return f.Name(), nil
}

// mergeRuns calls fn with the current run of a k-way merge of the runs,
// in order; each run reads through a buffer of its share of mergeBuffers.
func mergeRuns[T any](runs []runRef, codec Codec[T], fn func(*run[T]) error) error {
	size := min(runBuffer, max(minRunBuffer, mergeBuffers/max(1, len(runs))))
	h := &runHeap[T]{compare: codec.Compare}
	defer h.close()
	for i, ref := range runs {
		r, err := openRun(ref, i, size, codec.Decode)
		if err != nil {
			return err
		}
		h.runs = append(h.runs, r)
		ok, err := r.next()
		if err != nil {
			return err
		}
		if !ok {
			r.close()
			h.runs = h.runs[:len(h.runs)-1]
		}
	}
	heap.Init(h)
	for h.Len() > 0 {
		r := h.runs[0]
		if err := fn(r); err != nil {
			return err
		}
		ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(h, 0)
		} else {
			r.close()
			heap.Pop(h)
		}
	}
	return nil
}

// byteReader reads a run: a bufio.Reader on its file, a bytes.Reader on
// its encoding in memory.
type byteReader interface {
	io.Reader
	io.ByteReader
}

type run[T any] struct {
	name   string
	f      *os.File // nil for a run in memory
	r      byteReader
	order  int
	item   T
	buf    []byte
	decode func([]byte, *T) error
}

func openRun[T any](ref runRef, order, size int, decode func([]byte, *T) error) (*run[T], error) {
	if ref.data != nil {
		return &run[T]{name: ref.name, r: bytes.NewReader(ref.data), order: order, decode: decode}, nil
	}
	f, err := os.Open(ref.name)
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	return &run[T]{name: ref.name, f: f, r: bufio.NewReaderSize(f, size), order: order, decode: decode}, nil
}

// close closes the run's file, if it has one.
func (r *run[T]) close() {
	if r.f != nil {
		r.f.Close()
	}
}

func (r *run[T]) next() (bool, error) {
	n, err := binary.ReadUvarint(r.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil || n > 1<<30 {
		return false, fmt.Errorf("%w: %s: bad length", ErrCorrupt, r.name)
	}
	if cap(r.buf) < int(n) {
		r.buf = make([]byte, n)
	}
	r.buf = r.buf[:n]
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		return false, fmt.Errorf("%w: %s: %v", ErrCorrupt, r.name, err)
	}
	var zero T
	r.item = zero
	if err := r.decode(r.buf, &r.item); err != nil {
		return false, fmt.Errorf("%w: %s: %w", ErrCorrupt, r.name, err)
	}
	return true, nil
}

type runHeap[T any] struct {
	runs    []*run[T]
	compare func(a, b *T) int
}

func (h *runHeap[T]) Len() int { return len(h.runs) }
func (h *runHeap[T]) Less(i, j int) bool {
	if c := h.compare(&h.runs[i].item, &h.runs[j].item); c != 0 {
		return c < 0
	}
	return h.runs[i].order < h.runs[j].order
}
func (h *runHeap[T]) Swap(i, j int) { h.runs[i], h.runs[j] = h.runs[j], h.runs[i] }
func (h *runHeap[T]) Push(x any)    { h.runs = append(h.runs, x.(*run[T])) }
func (h *runHeap[T]) Pop() any {
	r := h.runs[len(h.runs)-1]
	h.runs = h.runs[:len(h.runs)-1]
	return r
}
func (h *runHeap[T]) close() {
	for _, r := range h.runs {
		r.close()
	}
}
