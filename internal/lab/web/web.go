// Package web is the lab's interface: server-rendered HTML pages
// (html/template, the report's style sheet, English and French from the
// report's catalogs), usable with JavaScript off; where it is on, one
// small same-origin script refreshes scan progress. Every response
// carries a strict Content-Security-Policy (nothing loads from elsewhere,
// no inline script).
//
// Access rules are declared once, per route, in routes(): public, any
// logged-in user, a minimum role, or a case the user belongs to (with a
// minimum role for changes). Sessions are random tokens in a Secure,
// HttpOnly, SameSite=Strict __Host- cookie; every state change is a POST
// carrying the session's CSRF token, and a request whose Origin is
// another site is refused. Every action is written to the audit log.
package web

import (
	"context"
	"crypto/subtle"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/lab/auth"
	"github.com/spyscan/spyscan/internal/lab/iocset"
	"github.com/spyscan/spyscan/internal/lab/queue"
	"github.com/spyscan/spyscan/internal/lab/retro"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/model"
	reporthtml "github.com/spyscan/spyscan/internal/report/html"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

//go:embed static/lab.css static/lab.js
var staticFS embed.FS

// Config is what the interface works with.
type Config struct {
	Store      *store.Store
	Queue      *queue.Queue
	Hunter     *retro.Hunter
	Indicators *iocset.Holder
	// DataDir holds uploads (DataDir/acquisitions) and result folders.
	DataDir string
	// Roots are the server folders from which acquisitions may be added
	// by path (none: adding by path is off).
	Roots []string
	// MaxUpload bounds one upload (bytes); 0: 16 GiB.
	MaxUpload int64
	// Hash is the argon2id cost of new passwords.
	Hash    auth.Params
	Version string
	Log     *slog.Logger
	Now     func() time.Time
	// TLS says the server is reached over HTTPS (HSTS is sent).
	TLS bool
	// SessionTTL is a session's lifetime; 0: 12 hours.
	SessionTTL time.Duration
	// RetroAsync starts a retro-hunt in the background (the lab wires
	// it); nil runs it within the request.
	RetroAsync func(reason string, by int64)
}

// reportCacheBytes bounds the memory of rendered reports kept.
const reportCacheBytes = 64 << 20

// Server serves the interface.
type Server struct {
	cfg     Config
	mux     *http.ServeMux
	pages   map[string]*template.Template
	limiter *auth.Limiter
	reports *reportCache
	css     []byte
	js      []byte
	icon    []byte // /favicon.ico, which browsers ask for on every page
	routes  []Route
}

// access is who may use a route.
type access int

const (
	public      access = iota // anyone (login page, static files)
	anyUser                   // a logged-in user, even one who must change a one-time password
	user                      // a logged-in user with a real password
	analyst                   // role analyst or admin
	admin                     // role admin
	caseViewer                // a member of the case (or an admin)
	caseAnalyst               // a member of the case with role analyst (or an admin)
)

func (a access) String() string {
	return [...]string{"public", "any user", "user", "analyst", "admin", "case viewer", "case analyst"}[a]
}

// Route is one entry of the route table, exported for the route-walk test.
type Route struct {
	Method, Pattern string
	Access          access
	// Case is how the route names its case: "case" ({id} is a case),
	// "scan" ({id} is a scan of the case) or "".
	Case string
	h    handler
}

// AccessName says who may use the route, in words.
func (r Route) AccessName() string { return r.Access.String() }

type handler func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error

// reqCtx is what a handler knows about the request.
type reqCtx struct {
	user   *store.User
	sess   *store.Session
	token  string
	cat    *i18n.Catalog
	lang   string
	remote string
	caseID int64       // the case the route is about (after the access check)
	scan   *store.Scan // the scan the route is about (Case "scan")
	msg    string      // ?msg=, a confirmation to show
	path   string
}

// New builds the interface.
func New(cfg Config) (*Server, error) {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 16 << 30
	}
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.Hash == (auth.Params{}) {
		cfg.Hash = auth.DefaultParams
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux(), limiter: auth.NewLimiter(5, 15*time.Minute),
		reports: newReportCache(reportCacheBytes)}
	if err := s.parseTemplates(); err != nil {
		return nil, err
	}
	labCSS, err := fs.ReadFile(staticFS, "static/lab.css")
	if err != nil {
		return nil, err
	}
	s.css = append([]byte(reporthtml.CSS()+"\n"), labCSS...)
	if s.js, err = fs.ReadFile(staticFS, "static/lab.js"); err != nil {
		return nil, err
	}
	s.icon = favicon()
	s.routes = s.routeTable()
	for _, rt := range s.routes {
		s.mux.Handle(rt.Method+" "+rt.Pattern, s.wrap(rt))
	}
	s.mux.Handle("/", s.wrap(Route{Access: public, h: func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		return errNotFound
	}}))
	return s, nil
}

// Routes lists every route with its access rule.
func (s *Server) Routes() []Route { return s.routes }

// routeTable is every route and who may use it.
func (s *Server) routeTable() []Route {
	return []Route{
		{Method: "GET", Pattern: "/static/lab.css", Access: public, h: s.static("text/css; charset=utf-8", func() []byte { return s.css })},
		{Method: "GET", Pattern: "/static/lab.js", Access: public, h: s.static("text/javascript; charset=utf-8", func() []byte { return s.js })},
		{Method: "GET", Pattern: "/favicon.ico", Access: public, h: s.static("image/png", func() []byte { return s.icon })},
		{Method: "GET", Pattern: "/login", Access: public, h: s.loginPage},
		{Method: "POST", Pattern: "/login", Access: public, h: s.login},
		{Method: "POST", Pattern: "/logout", Access: anyUser, h: s.logout},
		{Method: "GET", Pattern: "/account/password", Access: anyUser, h: s.passwordPage},
		{Method: "POST", Pattern: "/account/password", Access: anyUser, h: s.changePassword},
		{Method: "POST", Pattern: "/account/lang", Access: anyUser, h: s.setLang},
		{Method: "GET", Pattern: "/{$}", Access: user, h: func(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
			http.Redirect(w, r, "/cases", http.StatusSeeOther)
			return nil
		}},
		{Method: "GET", Pattern: "/cases", Access: user, h: s.casesPage},
		{Method: "POST", Pattern: "/cases", Access: analyst, h: s.createCase},
		{Method: "GET", Pattern: "/cases/{id}", Access: caseViewer, Case: "case", h: s.casePage},
		{Method: "GET", Pattern: "/cases/{id}/timeline", Access: caseViewer, Case: "case", h: s.timelinePage},
		{Method: "GET", Pattern: "/cases/{id}/audit", Access: caseViewer, Case: "case", h: s.caseAuditPage},
		{Method: "GET", Pattern: "/cases/{id}/acquisitions/new", Access: caseAnalyst, Case: "case", h: s.addAcquisitionPage},
		{Method: "POST", Pattern: "/cases/{id}/acquisitions", Access: caseAnalyst, Case: "case", h: s.addAcquisition},
		{Method: "POST", Pattern: "/cases/{id}/scans", Access: caseAnalyst, Case: "case", h: s.queueScan},
		{Method: "POST", Pattern: "/cases/{id}/seen", Access: caseAnalyst, Case: "case", h: s.markSeen},
		{Method: "POST", Pattern: "/cases/{id}/members", Access: admin, Case: "case", h: s.addMember},
		{Method: "POST", Pattern: "/cases/{id}/members/remove", Access: admin, Case: "case", h: s.removeMember},
		{Method: "GET", Pattern: "/scans/{id}/progress", Access: caseViewer, Case: "scan", h: s.progress},
		{Method: "GET", Pattern: "/scans/{id}/report", Access: caseViewer, Case: "scan", h: s.report},
		{Method: "GET", Pattern: "/scans/{id}/export/{format}", Access: caseViewer, Case: "scan", h: s.export},
		{Method: "POST", Pattern: "/scans/{id}/retry", Access: caseAnalyst, Case: "scan", h: s.retry},
		{Method: "POST", Pattern: "/scans/{id}/cancel", Access: caseAnalyst, Case: "scan", h: s.cancel},
		{Method: "GET", Pattern: "/new", Access: user, h: s.newMatchesPage},
		{Method: "GET", Pattern: "/indicators", Access: user, h: s.indicatorsPage},
		{Method: "POST", Pattern: "/indicators/update", Access: analyst, h: s.updateIndicators},
		{Method: "POST", Pattern: "/indicators/files", Access: analyst, h: s.addIndicatorFile},
		{Method: "POST", Pattern: "/indicators/retro", Access: analyst, h: s.runRetro},
		{Method: "GET", Pattern: "/users", Access: admin, h: s.usersPage},
		{Method: "POST", Pattern: "/users", Access: admin, h: s.createUser},
		{Method: "POST", Pattern: "/users/{id}", Access: admin, h: s.changeUser},
		{Method: "GET", Pattern: "/audit", Access: admin, h: s.auditPage},
	}
}

// ServeHTTP serves the interface.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Errors a handler returns; wrap turns them into pages.
var (
	errNotFound  = errors.New("not found")
	errForbidden = errors.New("forbidden")
	errCSRF      = errors.New("the form expired or came from another site")
)

// userError is a refusal to show the user: a catalog message and a status.
type userError struct {
	status int
	msg    i18n.Msg
}

func (e *userError) Error() string { return i18n.English(e.msg) }

func refuse(status int, key string, pairs ...any) error {
	return &userError{status: status, msg: i18n.M(key, pairs...)}
}

// contentSecurityPolicy of every page: nothing from elsewhere, no inline
// script or style, no framing, forms only to this server.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// wrap applies the security headers, the session, the access rule and
// CSRF check of rt, and renders errors.
func (s *Server) wrap(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if s.cfg.TLS {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if rt.Access != public || !strings.HasPrefix(rt.Pattern, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		rc := &reqCtx{remote: remoteAddr(r), msg: r.URL.Query().Get("msg"), path: r.URL.Path}
		s.loadSession(r, rc)
		err := s.authorize(r, rt, rc)
		if err == nil && r.Method == http.MethodPost && rt.Pattern != "/login" {
			err = s.checkCSRF(r, rc, rt)
		}
		if err == nil {
			err = rt.h(w, r, rc)
		}
		if err != nil {
			s.fail(w, r, rc, err)
		}
	})
}

// errLogin: the route needs a session and there is none.
var errLogin = errors.New("log in first")

// errMustChange: the user logs in with a one-time password and must set one.
var errMustChange = errors.New("change the one-time password first")

func (s *Server) authorize(r *http.Request, rt Route, rc *reqCtx) error {
	if rt.Access == public {
		return nil
	}
	if rc.user == nil {
		return errLogin
	}
	if rt.Access != anyUser && rc.user.MustChange {
		return errMustChange
	}
	switch rt.Access {
	case analyst:
		if rc.user.Role == store.Viewer {
			return errForbidden
		}
	case admin:
		if rc.user.Role != store.Admin {
			return errForbidden
		}
	}
	if rt.Case == "" {
		return nil
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return errNotFound
	}
	caseID := id
	if rt.Case == "scan" {
		sc, err := s.cfg.Store.Scan(r.Context(), id)
		if err != nil {
			return errNotFound
		}
		rc.scan, caseID = sc, sc.CaseID
	}
	ok, err := s.cfg.Store.CanSee(r.Context(), rc.user, caseID)
	if err != nil {
		return err
	}
	if !ok {
		return errNotFound // a case one may not see does not exist for them
	}
	if rt.Access == caseAnalyst && rc.user.Role == store.Viewer {
		return errForbidden
	}
	rc.caseID = caseID
	return nil
}

// checkCSRF: the form's token must be the session's, and a browser that
// says where the request comes from must say this site. Multipart forms
// are checked by their handler, whose first part is the token.
func (s *Server) checkCSRF(r *http.Request, rc *reqCtx, rt Route) error {
	if !sameOrigin(r) {
		return errCSRF
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return nil // checked by readMultipart, before any file is read
	}
	r.Body = http.MaxBytesReader(nil, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		return refuse(http.StatusBadRequest, "lab.error.bad_form")
	}
	return s.tokenOK(rc, r.PostForm.Get("csrf"))
}

func (s *Server) tokenOK(rc *reqCtx, got string) error {
	if rc.sess == nil || got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(rc.sess.CSRF)) != 1 {
		return errCSRF
	}
	return nil
}

// sameOrigin checks the Origin header (or, without it, Sec-Fetch-Site)
// that browsers send with a POST.
func sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		u, err := url.Parse(o)
		return err == nil && u.Host == r.Host
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
}

// fail renders an error: a redirect to the login page, or an error page
// with the status.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	var ue *userError
	switch {
	case errors.Is(err, errLogin):
		if r.Method == http.MethodGet {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		s.errorPage(w, rc, http.StatusForbidden, i18n.M("lab.error.login"))
	case errors.Is(err, errMustChange):
		if r.Method == http.MethodGet {
			http.Redirect(w, r, "/account/password", http.StatusSeeOther)
			return
		}
		s.errorPage(w, rc, http.StatusForbidden, i18n.M("lab.error.must_change"))
	case errors.Is(err, errNotFound):
		s.errorPage(w, rc, http.StatusNotFound, i18n.M("lab.error.not_found"))
	case errors.Is(err, errForbidden):
		s.errorPage(w, rc, http.StatusForbidden, i18n.M("lab.error.forbidden"))
	case errors.Is(err, errCSRF):
		s.audit(r.Context(), rc, "csrf.refused", 0, r.URL.Path, "")
		s.errorPage(w, rc, http.StatusForbidden, i18n.M("lab.error.csrf"))
	case errors.As(err, &ue):
		s.errorPage(w, rc, ue.status, ue.msg)
	case errors.Is(err, context.Canceled):
	default:
		s.cfg.Log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		s.errorPage(w, rc, http.StatusInternalServerError, i18n.M("lab.error.internal"))
	}
}

func (s *Server) errorPage(w http.ResponseWriter, rc *reqCtx, status int, msg i18n.Msg) {
	if rc.cat == nil {
		rc.cat = i18n.Get(i18n.Default)
	}
	s.render(w, rc, status, "error", "lab.error.title", struct{ Message string }{rc.cat.Render(msg)})
}

// remoteAddr is the client's address (the lab is reached directly, not
// through a proxy, so no forwarded header is trusted).
func remoteAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// audit appends to the audit log; a failure is logged, never shown.
func (s *Server) audit(ctx context.Context, rc *reqCtx, action string, caseID int64, target, detail string) {
	e := store.AuditEntry{Remote: rc.remote, Action: action, CaseID: caseID, Target: target, Detail: detail}
	if rc.user != nil {
		e.UserID, e.UserName = rc.user.ID, rc.user.Name
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := s.cfg.Store.Audit(wctx, e); err != nil {
		s.cfg.Log.Error("audit log", "action", action, "err", err)
	}
}

func (s *Server) static(ctype string, body func() []byte) handler {
	return func(w http.ResponseWriter, r *http.Request, _ *reqCtx) error {
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Write(body())
		return nil
	}
}

// verdictClass is the CSS class of a verdict badge.
func verdictClass(v model.Verdict) string {
	switch v {
	case model.VerdictDetected:
		return "crit"
	case model.VerdictSuspicious:
		return "med"
	case model.VerdictInconclusive:
		return "inconclusive"
	case model.VerdictClean:
		return "ok"
	}
	return "none"
}

// pathID reads a numeric path value.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// formID reads a numeric form value.
func formID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PostForm.Get(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, refuse(http.StatusBadRequest, "lab.error.bad_form")
	}
	return id, nil
}

func seeOther(w http.ResponseWriter, r *http.Request, path string, msg string) error {
	if msg != "" {
		path += "?msg=" + url.QueryEscape(msg)
	}
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}
