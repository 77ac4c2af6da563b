package queue

import (
	"errors"
	"fmt"
	"testing"

	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
)

// TestMaxQueued checks Config.MaxQueued (--max-queued) at the limit and one
// scan past it. No worker runs, so every scan queued stays waiting; the web
// interface turns ErrQueueFull into HTTP 503.
func TestMaxQueued(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		f := setup(t, db)
		q := New(Config{Store: f.s, Indicators: f.ind, Workers: 1, MaxQueued: 3, Version: "test", Lang: "en"})
		for i := 1; i <= 4; i++ {
			_, err := q.Enqueue(bg, f.c.ID, []int64{f.acq.ID}, f.user.ID, "")
			want := i <= 3
			if (err == nil) != want || (!want && (!errors.Is(err, store.ErrQueueFull) || err.Error() != fmt.Sprintf("%v: 3 scans are waiting", store.ErrQueueFull))) {
				t.Fatalf("scan %d in a queue of 3: %v", i, err)
			}
		}
	})
}
