package web

import (
	"errors"
	"iter"
	"net/http"
	"path/filepath"
	"strconv"

	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/output"
)

const timelinePage = 500

type timelineRow struct {
	model.Event
	Text  string
	Input string
	Scan  int64
}

type timelineView struct {
	Case       *store.Case
	Rows       []timelineRow
	Total      int
	Page, Last int
	Scans      []int64
}

// currentScans are, for each acquisition of the case, the latest finished
// scan that read it: together they make the case's timeline.
func currentScans(scans []*store.Scan) []*store.Scan {
	latest := map[int64]*store.Scan{}
	for _, sc := range scans {
		if sc.State != store.Done {
			continue
		}
		for _, a := range sc.Inputs {
			if l := latest[a]; l == nil || sc.FinishedAt.After(l.FinishedAt) || sc.FinishedAt.Equal(l.FinishedAt) && sc.ID > l.ID {
				latest[a] = sc
			}
		}
	}
	seen := map[int64]bool{}
	var out []*store.Scan
	for _, sc := range scans { // newest first, as listed
		for _, a := range sc.Inputs {
			if latest[a] == sc && !seen[sc.ID] {
				seen[sc.ID] = true
				out = append(out, sc)
			}
		}
	}
	return out
}

func (s *Server) timelinePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	c, err := s.cfg.Store.Case(ctx, rc.caseID)
	if err != nil {
		return err
	}
	scans, err := s.cfg.Store.Scans(ctx, rc.caseID)
	if err != nil {
		return err
	}
	acqs, err := s.cfg.Store.Acquisitions(ctx, rc.caseID)
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, a := range acqs {
		names[a.Path] = a.Name
	}
	v := timelineView{Case: c}
	v.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	v.Page = max(v.Page, 0)
	var streams []*eventStream
	defer func() {
		for _, st := range streams {
			st.stop()
		}
	}()
	for _, sc := range currentScans(scans) {
		v.Scans = append(v.Scans, sc.ID)
		rep, _, err := output.Load(sc.ResultDir)
		if err != nil {
			return err
		}
		single := ""
		if len(sc.Inputs) == 1 {
			if a, err := s.cfg.Store.Acquisition(ctx, sc.Inputs[0]); err == nil {
				single = a.Name
			}
		}
		st := newEventStream(rep.Timeline, sc.ID, single)
		streams = append(streams, st)
		v.Total += rep.Timeline.Len()
	}
	v.Last = max(0, (v.Total-1)/timelinePage)
	v.Page = min(v.Page, v.Last)
	rows, err := mergePage(streams, v.Page*timelinePage, timelinePage)
	if err != nil {
		return err
	}
	for i := range rows {
		e := &rows[i]
		e.Text = rc.cat.Text(e.DescriptionMsg, e.Description)
		if e.Event.Input != "" {
			if e.Input = names[e.Event.Input]; e.Input == "" {
				e.Input = filepath.Base(e.Event.Input)
			}
		}
	}
	v.Rows = rows
	s.render(w, rc, http.StatusOK, "timeline", "lab.timeline.title", v)
	return nil
}

// eventStream reads one scan's timeline (sorted by the scan) one event
// at a time from its result folder.
type eventStream struct {
	next   func() (model.Event, bool)
	stop   func()
	err    *error
	cur    model.Event
	ok     bool
	scan   int64
	single string // the acquisition's name when the scan read one
}

var errStopped = errors.New("stopped")

func newEventStream(tl model.Timeline, scan int64, single string) *eventStream {
	var err error
	seq := func(yield func(model.Event) bool) {
		e := tl.Each(func(ev *model.Event) error {
			if !yield(*ev) {
				return errStopped
			}
			return nil
		})
		if e != nil && !errors.Is(e, errStopped) {
			err = e
		}
	}
	next, stop := iter.Pull(seq)
	st := &eventStream{next: next, stop: stop, err: &err, scan: scan, single: single}
	st.cur, st.ok = next()
	return st
}

// mergePage merges the streams and returns n events after skipping skip:
// memory holds one page, whatever the size of the timelines.
func mergePage(streams []*eventStream, skip, n int) ([]timelineRow, error) {
	var out []timelineRow
	for len(out) < n {
		var min *eventStream
		for _, st := range streams {
			if st.ok && (min == nil || model.CompareEvents(&st.cur, &min.cur) < 0) {
				min = st
			}
		}
		if min == nil {
			break
		}
		if skip > 0 {
			skip--
		} else {
			out = append(out, timelineRow{Event: min.cur, Input: min.single, Scan: min.scan})
		}
		min.cur, min.ok = min.next()
	}
	for _, st := range streams {
		if *st.err != nil {
			return nil, *st.err
		}
	}
	return out, nil
}
