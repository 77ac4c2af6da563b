package acquisition

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSumsShared: callers asking for one file while it is hashed wait for
// that hash instead of hashing it again; a later caller gets the sum of a
// file of keepSum bytes or more without hashing, and hashes a smaller one
// again.
func TestSumsShared(t *testing.T) {
	for _, tc := range []struct {
		size      int64
		wantLater int32 // hashes after the later call
	}{{keepSum, 1}, {keepSum - 1, 2}} {
		s := NewSums()
		var calls atomic.Int32
		release := make(chan struct{})
		hash := func() (Sum, error) {
			calls.Add(1)
			<-release
			return Sum{Size: tc.size, SHA256: "ab", ModTime: time.Unix(1, 0).UTC()}, nil
		}
		var wg sync.WaitGroup
		got := make([]Sum, 4)
		for i := range got {
			wg.Go(func() {
				var err error
				if got[i], err = s.Do("files.json", hash); err != nil {
					t.Error(err)
				}
			})
		}
		for calls.Load() == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // the other callers reach Do and wait
		close(release)
		wg.Wait()
		if n := calls.Load(); n != 1 {
			t.Errorf("size %d: %d hashes for 4 concurrent callers, want 1", tc.size, n)
		}
		for i, g := range got {
			if g.SHA256 != "ab" || g.Size != tc.size {
				t.Errorf("size %d: caller %d got %+v", tc.size, i, g)
			}
		}
		if _, err := s.Do("files.json", hash); err != nil {
			t.Fatal(err)
		}
		if n := calls.Load(); n != tc.wantLater {
			t.Errorf("size %d: %d hashes after a later call, want %d", tc.size, n, tc.wantLater)
		}
	}
}

// TestSumsErrorNotShared: a caller waiting for a hash that failed (or
// panicked) hashes the file itself, and gets its own result or error.
func TestSumsErrorNotShared(t *testing.T) {
	for _, failure := range []string{"error", "panic"} {
		s := NewSums()
		started, release := make(chan struct{}), make(chan struct{})
		first := make(chan error, 1)
		go func() {
			defer func() { recover() }()
			_, err := s.Do("a", func() (Sum, error) {
				close(started)
				<-release
				if failure == "panic" {
					panic("hash panicked")
				}
				return Sum{}, errors.New("first: unreadable")
			})
			first <- err
		}()
		<-started
		second := make(chan Sum, 1)
		go func() {
			sum, err := s.Do("a", func() (Sum, error) { return Sum{Size: keepSum, SHA256: "cd"}, nil })
			if err != nil {
				t.Error(err)
			}
			second <- sum
		}()
		time.Sleep(20 * time.Millisecond) // the second caller waits
		close(release)
		if got := <-second; got.SHA256 != "cd" {
			t.Errorf("%s: second caller got %+v, want its own hash", failure, got)
		}
		if failure == "error" {
			if err := <-first; err == nil || err.Error() != "first: unreadable" {
				t.Errorf("first caller's error %v", err)
			}
		}
	}
}
