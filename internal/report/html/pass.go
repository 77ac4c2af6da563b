package html

import (
	"encoding/binary"
	"time"

	"github.com/spyscan/spyscan/internal/model"
)

// maxTimeLog bounds the bytes a TimelinePass keeps of the chart's event
// times (a few bytes an event, less for events of one time): past it the
// times are dropped and the chart reads the timeline again, so a timeline
// of any size costs at most this much memory.
var maxTimeLog = 8 << 20

// TimelinePass is what the report needs from the timeline, gathered in one
// pass over it: a caller that reads the timeline anyway (the result files'
// writer) calls Add with each event, in order, and gives the pass to
// RenderPass, and the report does not read the timeline again (on a large
// scan the merged timeline is read from disk: each pass decodes every
// event). Without it, Render reads the timeline itself, the same way.
type TimelinePass struct {
	copied       func(*model.Event) bool
	copiedAll    int
	list, others []model.Event
	sp           timeSpan
	times        timeLog
	events       int
}

// NewTimelinePass starts a pass over r's timeline.
func NewTimelinePass(r *model.Report) *TimelinePass {
	return &TimelinePass{copied: copyTimes(r)}
}

// Add takes the next event of the timeline (e is only read during the call).
func (p *TimelinePass) Add(e *model.Event) error {
	p.events++
	if p.copied(e) {
		p.copiedAll++
	} else {
		p.sp.see(e.Time)
		if !e.Time.IsZero() {
			p.times.add(e.Time)
		}
	}
	switch {
	case e.Level != nil && len(p.list) < maxEventsListed:
		p.list = append(p.list, *e)
	case e.Level == nil && len(p.others) < maxEventsListed:
		if p.others == nil {
			// At its largest at once, not grown by copies: the pages of
			// room a short timeline leaves unused are never touched.
			p.others = make([]model.Event, 0, maxEventsListed)
		}
		p.others = append(p.others, *e)
	}
	return nil
}

// eachChartTime calls fn with the time of every dated event the chart
// counts (those copied does not set apart), from the pass's log when it
// kept every one, otherwise from the timeline.
func (p *TimelinePass) eachChartTime(r *model.Report, fn func(time.Time)) {
	if p.times.complete() {
		p.times.each(fn)
		return
	}
	r.EachEvent(func(e *model.Event) error {
		if !e.Time.IsZero() && !p.copied(e) {
			fn(e.Time)
		}
		return nil
	})
}

// timeLog holds a sequence of times compactly: each distinct run of equal
// times as its difference from the previous time (a signed varint of
// nanoseconds) and its length (an unsigned varint). The timeline is in
// time order, so the differences are small. A time whose difference does
// not give it back exactly (out of time.Duration's range), or a log past
// maxTimeLog, drops the log (dropped).
type timeLog struct {
	buf     []byte
	first   time.Time // the first time; the differences follow from it
	prev    time.Time
	run     uint64 // length of the current run of prev (0: no time yet)
	dropped bool
}

func (l *timeLog) add(t time.Time) {
	if l.dropped {
		return
	}
	if l.run == 0 {
		l.first, l.prev, l.run = t, t, 1
		return
	}
	if t.Equal(l.prev) {
		l.run++
		return
	}
	d := t.Sub(l.prev)
	if !l.prev.Add(d).Equal(t) || len(l.buf) > maxTimeLog {
		l.drop()
		return
	}
	l.buf = binary.AppendUvarint(l.buf, l.run)
	l.buf = binary.AppendVarint(l.buf, int64(d))
	l.prev, l.run = t, 1
}

func (l *timeLog) drop() {
	l.dropped, l.buf = true, nil
}

func (l *timeLog) complete() bool { return !l.dropped }

// each calls fn with every time added, in order. Times come back as the
// first time plus differences: the same instants, which is all the chart
// uses (Sub).
func (l *timeLog) each(fn func(time.Time)) {
	if l.run == 0 {
		return
	}
	t, b := l.first, l.buf
	for len(b) > 0 {
		n, k := binary.Uvarint(b)
		b = b[k:]
		for range n {
			fn(t)
		}
		d, k := binary.Varint(b)
		b = b[k:]
		t = t.Add(time.Duration(d))
	}
	for range l.run {
		fn(t)
	}
}
