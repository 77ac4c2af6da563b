package acquisition

import (
	"errors"
	"sync"
	"time"
)

// Sum is the size, SHA-256 and modification time (UTC; zero when the
// file cannot say) of one file of an evidence folder.
type Sum struct {
	Size    int64
	SHA256  string
	ModTime time.Time
}

// SumFS is implemented by the FS of an evidence folder whose files'
// SHA-256 is shared between the scan's chain of custody and the modules
// that verify a list of hashes (androidqf's hashes.csv): each file is then
// read and hashed once, not twice. Names are the FS's; a caller hashes a
// file as the FS's Open reads it (following links that stay inside).
type SumFS interface {
	Sums() *Sums
}

// keepSum is the smallest file whose sum Sums keeps once both readers
// could have asked for it: hashing a smaller one again costs less than
// holding its sum for the rest of the scan (a folder of 100,000 small
// files keeps none).
const keepSum = 1 << 20

// Sums shares the hashing of a folder's files between the scan's chain of
// custody and the modules: the first to ask for a file hashes it, a second
// asking meanwhile waits for that result, and the sums of files of
// keepSum bytes or more are kept for a caller that asks later. A failed
// hash is not shared: each caller then hashes the file itself and reports
// its own error. It is safe for concurrent use.
type Sums struct {
	mu sync.Mutex
	m  map[string]*sumCall
}

type sumCall struct {
	done chan struct{}
	sum  Sum
	err  error
}

// NewSums returns an empty Sums.
func NewSums() *Sums { return &Sums{m: map[string]*sumCall{}} }

// Do returns the sum of the file name, from an earlier or concurrent
// call, or else from hash.
func (s *Sums) Do(name string, hash func() (Sum, error)) (Sum, error) {
	s.mu.Lock()
	c := s.m[name]
	if c != nil {
		s.mu.Unlock()
		<-c.done
		if c.err != nil {
			return hash()
		}
		return c.sum, nil
	}
	c = &sumCall{done: make(chan struct{}), err: errNoSum}
	s.m[name] = c
	s.mu.Unlock()
	defer func() { // also if hash panics: waiters then hash for themselves
		close(c.done)
		if c.err != nil || c.sum.Size < keepSum {
			s.mu.Lock()
			delete(s.m, name)
			s.mu.Unlock()
		}
	}()
	c.sum, c.err = hash()
	return c.sum, c.err
}

// errNoSum is the error of a hash that did not return.
var errNoSum = errors.New("acquisition: hash did not finish")

// Sums implements SumFS.
func (d *Dir) Sums() *Sums { return d.sums }
