package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/progress"
	"github.com/spyscan/spyscan/internal/textsafe"
)

// page is what every template gets.
type page struct {
	T        *i18n.Catalog
	Lang     string
	Langs    []langOption
	User     *store.User
	CSRF     string
	Title    string
	Path     string // the page's own path (for the language form)
	Msg      string // a confirmation after a redirect
	NewCount int
	IsAdmin  bool
	CanWork  bool // may change things (analyst or admin)
	Version  string
	Data     any
}

type langOption struct {
	Code, Name string
	Current    bool
}

var funcs = template.FuncMap{
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"day": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02")
	},
	"stamp": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02 15:04:05.000")
	},
	"verdictClass": verdictClass,
	"levelClass":   func(l model.Level) string { return strings.ToLower(l.String()) },
	"bytes":        progress.Size,
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
	"pct": func(done, total int) int {
		if total <= 0 {
			return 0
		}
		return done * 100 / total
	},
	"add": func(a, b int) int { return a + b },
	// kind names an acquisition kind in the page's language (the kind
	// itself when the catalogs do not know it yet).
	"kind": func(c *i18n.Catalog, k string) string {
		if c.Has("input_kind." + k) {
			return c.T("input_kind." + k)
		}
		return k
	},
}

func (s *Server) parseTemplates() error {
	layout, err := fs.ReadFile(templateFS, "templates/layout.tmpl")
	if err != nil {
		return err
	}
	names, err := fs.Glob(templateFS, "templates/*.tmpl")
	if err != nil {
		return err
	}
	s.pages = map[string]*template.Template{}
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".tmpl")
		if name == "layout" {
			continue
		}
		body, err := fs.ReadFile(templateFS, n)
		if err != nil {
			return err
		}
		t, err := template.New("layout").Funcs(funcs).Parse(string(layout))
		if err != nil {
			return fmt.Errorf("layout: %w", err)
		}
		if _, err := t.Parse(string(body)); err != nil {
			return fmt.Errorf("%s: %w", n, err)
		}
		s.pages[name] = t
	}
	return nil
}

// render writes a page. Text from evidence is escaped by html/template
// and made visible (bidi controls, zero-width characters) by
// textsafe.VisibleBytes, as in the report.
func (s *Server) render(w http.ResponseWriter, rc *reqCtx, status int, name, titleKey string, data any) {
	if rc.cat == nil {
		rc.cat = i18n.Get(i18n.Default)
	}
	p := page{T: rc.cat, Lang: rc.lang, User: rc.user, Title: rc.cat.T(titleKey), Version: s.cfg.Version, Data: data}
	if rc.sess != nil {
		p.CSRF = rc.sess.CSRF
	}
	for _, l := range i18n.Languages() {
		p.Langs = append(p.Langs, langOption{Code: l, Name: i18n.Get(l).Name, Current: l == rc.lang})
	}
	if rc.user != nil {
		p.IsAdmin = rc.user.Role == store.Admin
		p.CanWork = rc.user.Role != store.Viewer
		if !rc.user.MustChange {
			p.NewCount = s.newCount(rc)
		}
	}
	if msg, ok := rc.flash(); ok {
		p.Msg = msg
	}
	p.Path = rc.path
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.cfg.Log.Error("template", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(textsafe.VisibleBytes(buf.Bytes()))
}

func (s *Server) newCount(rc *reqCtx) int {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	n, err := s.cfg.Store.CountNew(ctx, rc.user)
	if err != nil {
		return 0
	}
	return n
}

// flash renders the ?msg= confirmation when it names a known message.
func (rc *reqCtx) flash() (string, bool) {
	if rc.msg == "" {
		return "", false
	}
	key := "lab.msg." + rc.msg
	if !rc.cat.Has(key) {
		return "", false
	}
	return rc.cat.T(key), true
}
