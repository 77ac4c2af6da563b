// Package spill sorts more items than fit in memory: items are buffered up
// to a byte budget, each full buffer is sorted and written to a temporary
// file as a sorted run, and Each merges the runs (k-way, with a heap) into
// one sorted stream. Memory is the budget plus the merge's read buffers
// (2 MiB at most: past 128 runs, runs are first merged into longer ones),
// whatever the number of items. A Sorter can be merged any number of times
// until Close removes its files; several Sorters are merged together with
// Merge.
package spill

import (
	"bufio"
	"cmp"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
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
)

// maxFanIn is the most runs one merge reads at once; a merge of more first
// merges consecutive runs of each sorter into longer ones, once (a
// variable for the tests).
var maxFanIn = mergeBuffers / minRunBuffer

// Sorter collects items and spills sorted runs to dir. It is safe for
// concurrent use.
type Sorter[T any] struct {
	codec  Codec[T]
	dir    string
	budget int

	mu   sync.Mutex
	buf  []T
	used int
	runs []string
	n    int
	err  error
	enc  []byte
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
	if s.err != nil {
		return s.err
	}
	s.buf = append(s.buf, v)
	// Size reads the buffered copy: handing it &v would move every v to
	// the heap (one allocation per item added).
	s.used += s.codec.Size(&s.buf[len(s.buf)-1])
	s.n++
	if s.used >= s.budget {
		s.err = s.spillLocked()
	}
	return s.err
}

// Len is the number of items added.
func (s *Sorter[T]) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Flush writes the buffered items as a run, freeing their memory.
func (s *Sorter[T]) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err == nil && len(s.buf) > 0 {
		s.err = s.spillLocked()
	}
	return s.err
}

func (s *Sorter[T]) spillLocked() error {
	// Sort positions, not items: items are large, and comparing copies
	// through a function value would move each copy to the heap.
	order := make([]int32, len(s.buf))
	for i := range order {
		order[i] = int32(i)
	}
	// Equal items keep the order they were added in (as a stable sort
	// would leave them), by their position: an unstable sort with that tie
	// break is faster than a stable one.
	slices.SortFunc(order, func(a, b int32) int {
		if c := s.codec.Compare(&s.buf[a], &s.buf[b]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	f, err := os.CreateTemp(s.dir, "run-*")
	if err != nil {
		return fmt.Errorf("spill: %w", err)
	}
	w := bufio.NewWriterSize(f, runBuffer)
	for _, i := range order {
		s.enc = s.codec.Append(s.enc[:0], &s.buf[i])
		var hdr [binary.MaxVarintLen64]byte
		w.Write(hdr[:binary.PutUvarint(hdr[:], uint64(len(s.enc)))])
		w.Write(s.enc)
	}
	if err := errors.Join(w.Flush(), f.Close()); err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("spill: %s: %w", f.Name(), err)
	}
	s.runs = append(s.runs, f.Name())
	clear(s.buf)
	s.buf, s.used = s.buf[:0], 0
	return nil
}

// Each calls fn with every item in sorted order. The item is only valid
// during the call. Items still in memory are spilled first.
func (s *Sorter[T]) Each(fn func(*T) error) error {
	return Merge(fn, s)
}

// Close removes the run files.
func (s *Sorter[T]) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	var errs []error
	for _, r := range s.runs {
		if err := os.Remove(r); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	s.runs, s.buf = nil, nil
	return errors.Join(errs...)
}

// Merge calls fn with the items of every sorter, in one sorted stream (the
// codec of the first sorter orders them; equal items keep the order of the
// sorters, then of their runs).
func Merge[T any](fn func(*T) error, sorters ...*Sorter[T]) error {
	if len(sorters) == 0 {
		return nil
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
	var runs []string
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
		var next []string
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
			next = append(next, name)
			for _, r := range group {
				os.Remove(r)
			}
		}
		s.runs = next
	}
	return nil
}

// mergeToRun writes the merge of runs as one new run, copying each item's
// encoding as it is.
func (s *Sorter[T]) mergeToRun(runs []string) (string, error) {
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
func mergeRuns[T any](runs []string, codec Codec[T], fn func(*run[T]) error) error {
	size := min(runBuffer, max(minRunBuffer, mergeBuffers/max(1, len(runs))))
	h := &runHeap[T]{compare: codec.Compare}
	defer h.close()
	for i, name := range runs {
		r, err := openRun(name, i, size, codec.Decode)
		if err != nil {
			return err
		}
		h.runs = append(h.runs, r)
		ok, err := r.next()
		if err != nil {
			return err
		}
		if !ok {
			r.f.Close()
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
			r.f.Close()
			heap.Pop(h)
		}
	}
	return nil
}

type run[T any] struct {
	f      *os.File
	r      *bufio.Reader
	order  int
	item   T
	buf    []byte
	decode func([]byte, *T) error
}

func openRun[T any](name string, order, size int, decode func([]byte, *T) error) (*run[T], error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("spill: %w", err)
	}
	return &run[T]{f: f, r: bufio.NewReaderSize(f, size), order: order, decode: decode}, nil
}

func (r *run[T]) next() (bool, error) {
	n, err := binary.ReadUvarint(r.r)
	if err == io.EOF {
		return false, nil
	}
	if err != nil || n > 1<<30 {
		return false, fmt.Errorf("%w: %s: bad length", ErrCorrupt, r.f.Name())
	}
	if cap(r.buf) < int(n) {
		r.buf = make([]byte, n)
	}
	r.buf = r.buf[:n]
	if _, err := io.ReadFull(r.r, r.buf); err != nil {
		return false, fmt.Errorf("%w: %s: %v", ErrCorrupt, r.f.Name(), err)
	}
	var zero T
	r.item = zero
	if err := r.decode(r.buf, &r.item); err != nil {
		return false, fmt.Errorf("%w: %s: %w", ErrCorrupt, r.f.Name(), err)
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
		r.f.Close()
	}
}
