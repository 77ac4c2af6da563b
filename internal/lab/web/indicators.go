package web

import (
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"

	"github.com/spyscan/spyscan/internal/lab/iocset"
	"github.com/spyscan/spyscan/internal/lab/store"
)

type indicatorsView struct {
	Current *iocset.Current
	Added   []os.FileInfo
	Runs    []store.RetroRun
	Pending bool
	Error   string
	Results []updateLine
}

type updateLine struct {
	Name, Detail string
	OK           bool
}

func (s *Server) indicatorsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.showIndicators(w, r, rc, http.StatusOK, "", nil)
}

func (s *Server) showIndicators(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errText string, res []updateLine) error {
	v := indicatorsView{Current: s.cfg.Indicators.Current(), Error: errText, Results: res}
	var err error
	if v.Added, err = s.cfg.Indicators.Added(); err != nil {
		return err
	}
	if v.Runs, err = s.cfg.Store.RetroRuns(r.Context(), 20); err != nil {
		return err
	}
	if v.Pending, err = s.cfg.Hunter.Pending(r.Context()); err != nil {
		return err
	}
	s.render(w, rc, status, "indicators", "lab.iocs.title", v)
	return nil
}

// retroHunt starts a retro-hunt of every stored scan.
func (s *Server) retroHunt(ctx context.Context, reason string, by int64) {
	if s.cfg.RetroAsync != nil {
		s.cfg.RetroAsync(reason, by)
		return
	}
	if _, err := s.cfg.Hunter.Run(ctx, reason, by, nil); err != nil {
		s.cfg.Log.Error("retro-hunt", "err", err)
	}
}

func (s *Server) updateIndicators(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	res, changed, err := s.cfg.Indicators.Update(r.Context())
	if err != nil {
		s.audit(r.Context(), rc, "indicators.update", 0, "", "failed: "+err.Error())
		return s.showIndicators(w, r, rc, http.StatusBadGateway, rc.cat.T("lab.iocs.update_failed", "why", err.Error()), nil)
	}
	var lines []updateLine
	failed := 0
	for _, u := range res {
		l := updateLine{Name: u.Entry.Name, OK: u.Err == nil}
		if u.Err != nil {
			failed++
			l.Detail = u.Err.Error()
		} else {
			l.Detail = u.Entry.SHA256
		}
		lines = append(lines, l)
	}
	s.audit(r.Context(), rc, "indicators.update", 0, s.cfg.Indicators.Current().Digest,
		fmt.Sprintf("%d of %d bundles updated, changed: %v", len(res)-failed, len(res), changed))
	if changed {
		s.retroHunt(r.Context(), "indicators updated", rc.user.ID)
	}
	return s.showIndicators(w, r, rc, http.StatusOK, "", lines)
}

func (s *Server) addIndicatorFile(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	r.Body = http.MaxBytesReader(w, r.Body, iocset.MaxAdded+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return refuse(http.StatusBadRequest, "lab.error.bad_form")
	}
	first, err := mr.NextPart()
	if err != nil || first.FormName() != "csrf" {
		return errCSRF
	}
	tok, _ := io.ReadAll(io.LimitReader(first, 256))
	if err := s.tokenOK(rc, string(tok)); err != nil {
		return err
	}
	var part *multipart.Part
	for {
		p, err := mr.NextPart()
		if err != nil {
			return s.showIndicators(w, r, rc, http.StatusBadRequest, rc.cat.T("lab.iocs.no_file"), nil)
		}
		if p.FormName() == "file" && p.FileName() != "" {
			part = p
			break
		}
	}
	name, changed, err := s.cfg.Indicators.Add(r.Context(), part.FileName(), part)
	if err != nil {
		s.audit(r.Context(), rc, "indicators.refused", 0, part.FileName(), err.Error())
		return s.showIndicators(w, r, rc, http.StatusUnprocessableEntity, rc.cat.T("lab.iocs.add_failed", "why", err.Error()), nil)
	}
	s.audit(r.Context(), rc, "indicators.add", 0, name, "set "+s.cfg.Indicators.Current().Digest)
	if changed {
		s.retroHunt(r.Context(), "indicator file added: "+name, rc.user.ID)
	}
	return seeOther(w, r, "/indicators", "iocs_added")
}

func (s *Server) runRetro(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	s.audit(r.Context(), rc, "retro.run", 0, s.cfg.Indicators.Current().Digest, "")
	s.retroHunt(r.Context(), "asked from the interface", rc.user.ID)
	return seeOther(w, r, "/indicators", "retro_started")
}
