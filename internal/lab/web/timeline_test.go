package web

import (
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/model"
)

// TestMergePage: the case timeline merges the scans' sorted timelines
// in order, a page at a time, and counts them all.
func TestMergePage(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := func(sec int, mod string) model.Event {
		return model.Event{Time: t0.Add(time.Duration(sec) * time.Second), Module: mod, Event: "e"}
	}
	a := model.Events{ev(1, "a"), ev(3, "a"), ev(5, "a"), ev(7, "a")}
	b := model.Events{ev(2, "b"), ev(3, "b"), ev(8, "b")}
	var got []string
	for page := 0; page < 4; page++ {
		streams := []*eventStream{newEventStream(a, 1, "A"), newEventStream(b, 2, "B")}
		rows, err := mergePage(streams, page*2, 2)
		for _, st := range streams {
			st.stop()
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			got = append(got, r.Time.Format("05")+r.Module+r.Input)
		}
		if page == 3 && len(rows) != 1 {
			t.Errorf("last page has %d rows", len(rows))
		}
	}
	want := []string{"01aA", "02bB", "03aA", "03bB", "05aA", "07aA", "08bB"}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("got %v, want %v", got, want)
		}
	}
}
