package html

import (
	"bytes"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

// TestTimeLogRoundTrip: the log gives back every time added, in order, as
// the same instant (runs of one time, gaps of centuries and of
// nanoseconds, times out of order); a difference time.Duration cannot
// hold, or a log past maxTimeLog, drops it.
func TestTimeLogRoundTrip(t *testing.T) {
	t0 := time.Date(2021, 7, 11, 9, 30, 0, 0, time.UTC)
	paris := time.FixedZone("CEST", 2*3600)
	cases := []struct {
		name    string
		times   []time.Time
		dropped bool
	}{
		{"empty", nil, false},
		{"one", []time.Time{t0}, false},
		{"runs", []time.Time{t0, t0, t0, t0.Add(time.Nanosecond), t0.Add(time.Nanosecond), t0.Add(time.Hour)}, false},
		{"out of order", []time.Time{t0.Add(time.Hour), t0, t0.Add(-200 * 365 * 24 * time.Hour), t0}, false},
		{"zones", []time.Time{t0, t0.In(paris), t0.Add(time.Second).In(paris)}, false},
		{"monotonic reading", []time.Time{time.Now(), time.Now().Add(time.Millisecond)}, false},
		{"year 1 to 9999", []time.Time{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)}, true},
	}
	for _, c := range cases {
		var l timeLog
		for _, tm := range c.times {
			l.add(tm)
		}
		if l.complete() == c.dropped {
			t.Errorf("%s: complete %v, want %v", c.name, l.complete(), !c.dropped)
			continue
		}
		if c.dropped {
			continue
		}
		var got []time.Time
		l.each(func(tm time.Time) { got = append(got, tm) })
		if len(got) != len(c.times) {
			t.Errorf("%s: %d times back, want %d", c.name, len(got), len(c.times))
			continue
		}
		for i := range got {
			if !got[i].Equal(c.times[i]) {
				t.Errorf("%s: time %d is %v, want %v", c.name, i, got[i], c.times[i])
			}
		}
	}

	defer func(n int) { maxTimeLog = n }(maxTimeLog)
	maxTimeLog = 64
	var l timeLog
	for i := range 100 {
		l.add(t0.Add(time.Duration(i) * time.Hour))
	}
	if l.complete() || l.buf != nil {
		t.Errorf("a log past maxTimeLog is kept (%d bytes)", len(l.buf))
	}
}

// TestRenderPassAsRender: the report rendered from a pass made by the
// caller is the report Render makes reading the timeline itself, with the
// chart's times from the log and, past maxTimeLog, from the timeline
// (copied events, undated events, events at the span's ends included).
func TestRenderPassAsRender(t *testing.T) {
	r := bigReport()
	events := r.Timeline.(model.Events)
	copiedAt := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	r.Info.Inputs[0].Files = append(r.Info.Inputs[0].Files, model.InputFile{Path: "logs/logcat.txt", ModTime: copiedAt})
	high := model.High
	events = append(model.Events{{Module: "m", Event: "undated"}}, events...)
	events = append(events, model.Event{Time: copiedAt, Module: "aqf_log_timestamps", Event: "M---", Artifact: "logs/logcat.txt"},
		model.Event{Time: copiedAt.Add(time.Hour), Module: "sms", Event: "last", Level: &high})
	r.Timeline = events
	var want bytes.Buffer
	if err := Render(&want, r, "en"); err != nil {
		t.Fatal(err)
	}
	for _, limit := range []int{maxTimeLog, 1 << 10, 0} {
		func() {
			defer func(n int) { maxTimeLog = n }(maxTimeLog)
			maxTimeLog = limit
			p := NewTimelinePass(r)
			if err := r.EachEvent(p.Add); err != nil {
				t.Fatal(err)
			}
			if p.times.complete() != (limit == 8<<20) {
				t.Errorf("limit %d: log complete %v", limit, p.times.complete())
			}
			var got bytes.Buffer
			if err := RenderPass(&got, r, "en", p); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("limit %d: RenderPass differs from Render (%d and %d bytes)", limit, got.Len(), want.Len())
			}
		}()
	}
}

// TestRenderPassReadsNoTimeline: given a pass, the report does not read
// the timeline (the point of the pass).
func TestRenderPassReadsNoTimeline(t *testing.T) {
	r := reportgen.Detected()
	p := NewTimelinePass(r)
	if err := r.EachEvent(p.Add); err != nil {
		t.Fatal(err)
	}
	c := &countingTimeline{Timeline: r.Timeline}
	r.Timeline = c
	var buf bytes.Buffer
	if err := RenderPass(&buf, r, "en", p); err != nil {
		t.Fatal(err)
	}
	if c.reads != 0 {
		t.Errorf("the timeline was read %d times", c.reads)
	}
	if err := Render(&buf, r, "en"); err != nil {
		t.Fatal(err)
	}
	if c.reads != 1 {
		t.Errorf("Render read the timeline %d times, want 1", c.reads)
	}
}

type countingTimeline struct {
	model.Timeline
	reads int
}

func (c *countingTimeline) Each(fn func(*model.Event) error) error {
	c.reads++
	return c.Timeline.Each(fn)
}
