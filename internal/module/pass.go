package module

import (
	"sync"

	"github.com/spyscan/spyscan/internal/acquisition"
)

// Pass is one computation per acquisition shared by several modules: the
// dumpsys modules share one split of a dump, the network modules one
// analysis of a capture. The first module to ask runs it; the others wait
// for its result; the entry is dropped once the last of its users has
// taken it, so what it holds is released as soon as possible. The zero
// value is ready to use.
type Pass[T any] struct {
	mu   sync.Mutex
	runs map[*acquisition.Acquisition]*passRun[T]
}

type passRun[T any] struct {
	once sync.Once
	val  T
	err  error
	left int
}

// Get returns the result of run for acq, running it only once. users is
// how many modules will call Get for acq (at least 1). When a module the
// users count includes never asks (it was not selected), the entry stays
// until the Pass itself is dropped at the end of the scan.
func (p *Pass[T]) Get(acq *acquisition.Acquisition, users int, run func() (T, error)) (T, error) {
	p.mu.Lock()
	if p.runs == nil {
		p.runs = map[*acquisition.Acquisition]*passRun[T]{}
	}
	r := p.runs[acq]
	if r == nil {
		r = &passRun[T]{left: users}
		p.runs[acq] = r
	}
	r.left--
	if r.left <= 0 {
		delete(p.runs, acq)
	}
	p.mu.Unlock()
	r.once.Do(func() { r.val, r.err = run() })
	return r.val, r.err
}

// pending is the number of acquisitions whose pass is still held.
func (p *Pass[T]) pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.runs)
}
