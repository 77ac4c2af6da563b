package module

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
)

func TestPassRunsOncePerAcquisition(t *testing.T) {
	var p Pass[int]
	a, b := &acquisition.Acquisition{Path: "a"}, &acquisition.Acquisition{Path: "b"}
	var runs atomic.Int32
	var wg sync.WaitGroup
	got := make([]int, 6)
	for i := range 6 {
		acq := a
		if i%2 == 1 {
			acq = b
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := p.Get(acq, 3, func() (int, error) { runs.Add(1); return len(acq.Path) * 10, nil })
			if err != nil {
				t.Error(err)
			}
			got[i] = v
		}()
	}
	wg.Wait()
	if runs.Load() != 2 {
		t.Errorf("%d runs for 2 acquisitions", runs.Load())
	}
	for i, v := range got {
		if v != 10 {
			t.Errorf("user %d got %d", i, v)
		}
	}
	if n := p.pending(); n != 0 {
		t.Errorf("%d passes still held after every user took theirs", n)
	}
}

func TestPassErrorShared(t *testing.T) {
	var p Pass[string]
	acq := &acquisition.Acquisition{}
	boom := errors.New("boom")
	for i := range 2 {
		if _, err := p.Get(acq, 2, func() (string, error) { return "", boom }); !errors.Is(err, boom) {
			t.Errorf("user %d: %v", i, err)
		}
	}
	// A new scan of the same acquisition (all users served) runs again.
	v, err := p.Get(acq, 1, func() (string, error) { return "again", nil })
	if v != "again" || err != nil {
		t.Errorf("got %q %v", v, err)
	}
}
