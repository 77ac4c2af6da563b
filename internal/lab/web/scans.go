package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strconv"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/output"
	reporthtml "github.com/spyscan/spyscan/internal/report/html"
	"github.com/spyscan/spyscan/internal/report/misp"
	"github.com/spyscan/spyscan/internal/report/stixexport"
	"github.com/spyscan/spyscan/internal/selftest"
)

func (s *Server) queueScan(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	var acqs []int64
	for _, v := range r.PostForm["acquisition"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return refuse(http.StatusBadRequest, "lab.error.bad_form")
		}
		if !slices.Contains(acqs, id) {
			acqs = append(acqs, id)
		}
	}
	if len(acqs) == 0 {
		return refuse(http.StatusBadRequest, "lab.scan.none_chosen")
	}
	sc, err := s.cfg.Queue.Enqueue(r.Context(), rc.caseID, acqs, rc.user.ID, r.PostForm.Get("password"))
	switch {
	case errors.Is(err, store.ErrQueueFull):
		return refuse(http.StatusServiceUnavailable, "lab.scan.queue_full")
	case errors.Is(err, store.ErrNotFound):
		return refuse(http.StatusBadRequest, "lab.error.bad_form")
	case err != nil:
		return err
	}
	s.audit(r.Context(), rc, "scan.queue", rc.caseID, fmt.Sprintf("scan #%d", sc.ID), fmt.Sprintf("acquisitions %v", acqs))
	return seeOther(w, r, fmt.Sprintf("/cases/%d", rc.caseID), "scan_queued")
}

func (s *Server) retry(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.cfg.Queue.Retry(r.Context(), rc.scan.ID, r.PostForm.Get("password")); err != nil {
		if errors.Is(err, store.ErrState) {
			return refuse(http.StatusConflict, "lab.scan.cannot_retry")
		}
		return err
	}
	s.audit(r.Context(), rc, "scan.retry", rc.caseID, fmt.Sprintf("scan #%d", rc.scan.ID), "")
	return seeOther(w, r, fmt.Sprintf("/cases/%d", rc.caseID), "scan_queued")
}

func (s *Server) cancel(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if !s.cfg.Queue.Cancel(rc.scan.ID) {
		return refuse(http.StatusConflict, "lab.scan.not_running")
	}
	s.audit(r.Context(), rc, "scan.cancel", rc.caseID, fmt.Sprintf("scan #%d", rc.scan.ID), "")
	return seeOther(w, r, fmt.Sprintf("/cases/%d", rc.caseID), "scan_cancelled")
}

func (s *Server) progress(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(s.progressOf(rc.scan, rc))
}

// storedReport is a finished scan's report as the lab shows it: the
// result folder read through the loader, with the alerts the store holds
// for the scan (retro-hunt matches included, withdrawn ones left out) and
// the verdict decided again on them.
func (s *Server) storedReport(r *http.Request, sc *store.Scan) (*model.Report, error) {
	if sc.State != store.Done || sc.ResultDir == "" {
		return nil, refuse(http.StatusConflict, "lab.scan.not_done")
	}
	rep, _, err := output.Load(sc.ResultDir)
	if err != nil {
		return nil, err
	}
	alerts, err := s.cfg.Store.ScanAlerts(r.Context(), sc.ID)
	if err != nil {
		return nil, err
	}
	rep.Alerts = rep.Alerts[:0]
	for _, a := range alerts {
		if a.GoneRun == 0 {
			rep.Alerts = append(rep.Alerts, a.Alert)
		}
	}
	model.SortAlerts(rep.Alerts)
	rep.Verdict, rep.Info.SelfTest.Problems = selftest.Decide(rep)
	return rep, nil
}

// reportPolicy lets the report's one inline style sheet (by its hash) and
// nothing else run; sandbox gives the page an origin of its own, so even
// text from the evidence that escaped the template could reach nothing.
func reportPolicy(page []byte) string {
	pol := "default-src 'none'; img-src data:; frame-ancestors 'none'; form-action 'none'; base-uri 'none'; sandbox"
	for _, css := range styleBlocks.FindAllSubmatch(page, -1) {
		h := sha256.Sum256(css[1])
		pol += "; style-src 'sha256-" + base64.StdEncoding.EncodeToString(h[:]) + "'"
		break
	}
	return pol
}

var styleBlocks = regexp.MustCompile(`(?s)<style>(.*?)</style>`)

func (s *Server) report(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.scan.State != store.Done || rc.scan.ResultDir == "" {
		return refuse(http.StatusConflict, "lab.scan.not_done")
	}
	lang := rc.lang
	if l := r.URL.Query().Get("lang"); i18n.Supported(l) {
		lang = i18n.Normalize(l)
	}
	shown, err := s.cfg.Store.ShownAlertIDs(r.Context(), rc.scan.ID)
	if err != nil {
		return err
	}
	key := reportKey(rc.scan.ID, rc.scan.ResultDir, lang, shown)
	page, ok := s.reports.get(key)
	if !ok {
		rep, err := s.storedReport(r, rc.scan)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := reporthtml.Render(&buf, rep, lang); err != nil {
			return err
		}
		page = &cachedReport{key: key, page: buf.Bytes(), policy: reportPolicy(buf.Bytes())}
		s.reports.put(page)
	}
	s.audit(r.Context(), rc, "report.view", rc.caseID, fmt.Sprintf("scan #%d", rc.scan.ID), lang)
	w.Header().Set("Content-Security-Policy", page.policy)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(page.page)
	return err
}

// exports are the files a scan can be downloaded as.
var exports = map[string]struct {
	ctype, ext string
	write      func(io.Writer, *model.Report) error
}{
	"stix": {"application/stix+json", "stix2.json", stixexport.Write},
	"misp": {"application/json", "misp.json", misp.Write},
	"alerts": {"application/json", "alerts.json", func(w io.Writer, r *model.Report) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if r.Alerts == nil {
			return enc.Encode([]model.Alert{})
		}
		return enc.Encode(r.Alerts)
	}},
	"timeline": {"text/csv; charset=utf-8", "timeline.csv", nil},
}

func (s *Server) export(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	format := r.PathValue("format")
	ex, ok := exports[format]
	if !ok {
		return errNotFound
	}
	rep, err := s.storedReport(r, rc.scan)
	if err != nil {
		return err
	}
	s.audit(r.Context(), rc, "export", rc.caseID, fmt.Sprintf("scan #%d", rc.scan.ID), format)
	w.Header().Set("Content-Type", ex.ctype)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="spyscan-case%d-scan%d-%s"`, rc.caseID, rc.scan.ID, ex.ext))
	if ex.write == nil { // the timeline is served as the scan wrote it
		f, err := output.OpenTimelineCSV(rc.scan.ResultDir)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = io.Copy(w, f)
		return err
	}
	return ex.write(w, rep)
}
