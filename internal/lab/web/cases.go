package web

import (
	"fmt"
	"net/http"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/model"
)

type casesView struct {
	Cases []store.CaseSummary
}

func (s *Server) casesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	cs, err := s.cfg.Store.Cases(r.Context(), rc.user)
	if err != nil {
		return err
	}
	s.render(w, rc, http.StatusOK, "cases", "lab.cases.title", casesView{Cases: cs})
	return nil
}

// text reads a form field of at most max characters, trimmed.
func text(r *http.Request, name string, max int) (string, bool) {
	v := strings.TrimSpace(r.PostForm.Get(name))
	return v, utf8.ValidString(v) && utf8.RuneCountInString(v) <= max
}

func (s *Server) createCase(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name, ok1 := text(r, "name", 200)
	desc, ok2 := text(r, "description", 4000)
	if name == "" || !ok1 || !ok2 {
		return refuse(http.StatusBadRequest, "lab.cases.bad_name")
	}
	c, err := s.cfg.Store.CreateCase(r.Context(), name, desc, rc.user.ID)
	if err != nil {
		return err
	}
	s.audit(r.Context(), rc, "case.create", c.ID, c.Name, "")
	return seeOther(w, r, fmt.Sprintf("/cases/%d", c.ID), "case_created")
}

// scanView is a scan as the case page lists it.
type scanView struct {
	*store.Scan
	Inputs   []string
	Running  []string
	Progress int // percent
	Active   bool
}

// finding is one alert of the case (the same alert in several scans of
// one acquisition is listed once).
type finding struct {
	*store.StoredAlert
	Level    model.Level
	Message  string
	Family   string
	Where    string
	Scans    []int64
	Provider string // the indicator's source, file and date
}

type levelGroup struct {
	Level    model.Level
	Findings []*finding
}

type caseView struct {
	Case         *store.CaseSummary
	Members      []store.Member
	Others       []*store.User // users who could be added
	Acquisitions []*store.Acquisition
	Scans        []scanView
	Groups       []levelGroup
	Findings     int
	Workers      int
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	sum, err := s.cfg.Store.Summary(ctx, rc.user, rc.caseID)
	if err != nil {
		return err
	}
	v := caseView{Case: sum, Workers: s.cfg.Queue.Workers()}
	if v.Members, err = s.cfg.Store.Members(ctx, rc.caseID); err != nil {
		return err
	}
	if rc.user.Role == store.Admin {
		all, err := s.cfg.Store.Users(ctx)
		if err != nil {
			return err
		}
		in := map[int64]bool{}
		for _, m := range v.Members {
			in[m.User.ID] = true
		}
		for _, u := range all {
			if !in[u.ID] && !u.Disabled {
				v.Others = append(v.Others, u)
			}
		}
	}
	if v.Acquisitions, err = s.cfg.Store.Acquisitions(ctx, rc.caseID); err != nil {
		return err
	}
	names := map[int64]string{}
	for _, a := range v.Acquisitions {
		names[a.ID] = a.Name
	}
	scans, err := s.cfg.Store.Scans(ctx, rc.caseID)
	if err != nil {
		return err
	}
	for _, sc := range scans {
		sv := scanView{Scan: sc, Active: sc.State == store.Queued || sc.State == store.Running}
		for _, id := range sc.Inputs {
			sv.Inputs = append(sv.Inputs, names[id])
		}
		if p, ok := s.cfg.Queue.Progress(sc.ID); ok {
			sc.ProgressDone, sc.ProgressTotal, sv.Running = p.Done, p.Total, p.Running
		}
		if sc.ProgressTotal > 0 {
			sv.Progress = sc.ProgressDone * 100 / sc.ProgressTotal
		}
		v.Scans = append(v.Scans, sv)
	}
	alerts, err := s.cfg.Store.CaseFindings(ctx, rc.caseID)
	if err != nil {
		return err
	}
	v.Groups, v.Findings = groupFindings(alerts, rc.cat)
	s.render(w, rc, http.StatusOK, "case", "lab.case.title", v)
	return nil
}

// groupFindings lists a case's alerts by level, most severe first, as the
// report does; an alert found again by a later scan of the same input is
// one finding, listing the scans.
func groupFindings(alerts []store.KeyedAlert, c *i18n.Catalog) ([]levelGroup, int) {
	all := make([]*finding, 0, len(alerts))
	for _, a := range alerts {
		f := &finding{StoredAlert: a.StoredAlert, Level: a.Alert.Level, Scans: a.Scans}
		f.Message = c.Text(a.Alert.MessageMsg, a.Alert.Message)
		where := []string{a.Alert.Module, a.Alert.Artifact}
		if a.Alert.Input != "" {
			where = append(where, filepath.Base(a.Alert.Input))
		}
		f.Where = strings.Join(where, " · ")
		if m := a.Alert.Match; m != nil {
			f.Family = strings.Join(m.Families(), ", ")
			if len(m.Sources) > 0 {
				p := m.Sources[0]
				f.Provider = strings.TrimSpace(strings.Join([]string{p.Source, p.File, p.Date}, " "))
			}
		}
		all = append(all, f)
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Level != all[j].Level {
			return all[i].Level > all[j].Level
		}
		return all[i].New && !all[j].New
	})
	var groups []levelGroup
	for _, f := range all {
		if len(groups) == 0 || groups[len(groups)-1].Level != f.Level {
			groups = append(groups, levelGroup{Level: f.Level})
		}
		groups[len(groups)-1].Findings = append(groups[len(groups)-1].Findings, f)
	}
	return groups, len(all)
}

func (s *Server) markSeen(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	n, err := s.cfg.Store.MarkSeen(r.Context(), rc.caseID, rc.user.ID)
	if err != nil {
		return err
	}
	s.audit(r.Context(), rc, "alerts.seen", rc.caseID, strconv.Itoa(n)+" new matches", "")
	return seeOther(w, r, fmt.Sprintf("/cases/%d", rc.caseID), "seen")
}

func (s *Server) addMember(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	uid, err := formID(r, "user")
	if err != nil {
		return err
	}
	u, err := s.cfg.Store.User(r.Context(), uid)
	if err != nil {
		return refuse(http.StatusBadRequest, "lab.error.bad_form")
	}
	if err := s.cfg.Store.AddMember(r.Context(), rc.caseID, uid); err != nil {
		return err
	}
	s.audit(r.Context(), rc, "case.member.add", rc.caseID, u.Name, "")
	return seeOther(w, r, fmt.Sprintf("/cases/%d", rc.caseID), "member_added")
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	uid, err := formID(r, "user")
	if err != nil {
		return err
	}
	u, err := s.cfg.Store.User(r.Context(), uid)
	if err != nil {
		return refuse(http.StatusBadRequest, "lab.error.bad_form")
	}
	if err := s.cfg.Store.RemoveMember(r.Context(), rc.caseID, uid); err != nil {
		return refuse(http.StatusBadRequest, "lab.error.bad_form")
	}
	s.audit(r.Context(), rc, "case.member.remove", rc.caseID, u.Name, "")
	return seeOther(w, r, fmt.Sprintf("/cases/%d", rc.caseID), "member_removed")
}

type auditView struct {
	Entries []store.AuditEntry
	Case    *store.Case
	Before  int64 // the next page starts before this id (0: no more)
	Verify  string
	Count   int
}

func (s *Server) caseAuditPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c, err := s.cfg.Store.Case(r.Context(), rc.caseID)
	if err != nil {
		return err
	}
	return s.auditList(w, r, rc, c)
}

func (s *Server) auditList(w http.ResponseWriter, r *http.Request, rc *reqCtx, c *store.Case) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	f := store.AuditFilter{Before: before, Limit: 100}
	if c != nil {
		f.CaseID = c.ID
	}
	entries, err := s.cfg.Store.AuditLog(r.Context(), f)
	if err != nil {
		return err
	}
	v := auditView{Entries: entries, Case: c}
	if len(entries) == f.Limit {
		v.Before = entries[len(entries)-1].ID
	}
	if c == nil && r.URL.Query().Get("verify") == "1" {
		n, err := s.cfg.Store.VerifyAudit(r.Context())
		v.Count = n
		if err != nil {
			v.Verify = err.Error()
		} else {
			v.Verify = "ok"
		}
	}
	s.render(w, rc, http.StatusOK, "audit", "lab.audit.title", v)
	return nil
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.auditList(w, r, rc, nil)
}

type newView struct {
	Findings []*finding
	Cases    map[int64]string
}

func (s *Server) newMatchesPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	alerts, err := s.cfg.Store.NewFindings(r.Context(), rc.user)
	if err != nil {
		return err
	}
	cases, err := s.cfg.Store.Cases(r.Context(), rc.user)
	if err != nil {
		return err
	}
	v := newView{Cases: map[int64]string{}}
	for _, c := range cases {
		v.Cases[c.ID] = c.Name
	}
	groups, _ := groupFindings(alerts, rc.cat)
	for _, g := range groups {
		v.Findings = append(v.Findings, g.Findings...)
	}
	s.render(w, rc, http.StatusOK, "new", "lab.new.title", v)
	return nil
}

// progressJSON is what lab.js reads to refresh a running scan.
type progressJSON struct {
	State   store.ScanState `json:"state"`
	Done    int             `json:"done"`
	Total   int             `json:"total"`
	Percent int             `json:"percent"`
	Running []string        `json:"running"`
	Text    string          `json:"text"`
}

func (s *Server) progressOf(sc *store.Scan, rc *reqCtx) progressJSON {
	p := progressJSON{State: sc.State, Done: sc.ProgressDone, Total: sc.ProgressTotal, Running: []string{}}
	if live, ok := s.cfg.Queue.Progress(sc.ID); ok {
		p.Done, p.Total, p.Running = live.Done, live.Total, live.Running
	}
	if p.Total > 0 {
		p.Percent = p.Done * 100 / p.Total
	}
	p.Text = rc.cat.T("lab.scan.progress", "done", p.Done, "total", p.Total)
	return p
}
