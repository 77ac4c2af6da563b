package web

import (
	"net/http"
	"path/filepath"
	"sort"
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
	var rows []timelineRow
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
		for _, e := range rep.Timeline {
			in := single
			if e.Input != "" {
				in = names[e.Input]
				if in == "" {
					in = filepath.Base(e.Input)
				}
			}
			rows = append(rows, timelineRow{Event: e, Text: rc.cat.Text(e.DescriptionMsg, e.Description), Input: in, Scan: sc.ID})
		}
	}
	sortRows(rows)
	v.Total = len(rows)
	v.Last = max(0, (v.Total-1)/timelinePage)
	v.Page, _ = strconv.Atoi(r.URL.Query().Get("page"))
	v.Page = min(max(v.Page, 0), v.Last)
	start := v.Page * timelinePage
	v.Rows = rows[start:min(start+timelinePage, len(rows))]
	s.render(w, rc, http.StatusOK, "timeline", "lab.timeline.title", v)
	return nil
}

// sortRows orders the merged timeline by time, then acquisition, module,
// event and description, as model.SortEvents orders a scan's own.
func sortRows(rows []timelineRow) {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := &rows[i], &rows[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Input != b.Input {
			return a.Input < b.Input
		}
		if a.Module != b.Module {
			return a.Module < b.Module
		}
		if a.Event.Event != b.Event.Event {
			return a.Event.Event < b.Event.Event
		}
		return a.Text < b.Text
	})
}
