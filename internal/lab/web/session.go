package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/lab/auth"
	"github.com/spyscan/spyscan/internal/lab/store"
)

// Cookie names. The __Host- prefix makes browsers refuse them unless they
// are Secure, for this host only and for the whole site.
const (
	sessionCookie = "__Host-spyscan"
	loginCookie   = "__Host-spyscan-login"
)

func (s *Server) setCookie(w http.ResponseWriter, name, value string, ttl time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", Secure: true, HttpOnly: true, SameSite: http.SameSiteStrictMode}
	if ttl > 0 {
		c.MaxAge = int(ttl.Seconds())
	} else {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// loadSession finds the request's session and user, and the language.
func (s *Server) loadSession(r *http.Request, rc *reqCtx) {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" && len(c.Value) < 128 {
		if sess, u, err := s.cfg.Store.SessionUser(r.Context(), c.Value); err == nil {
			rc.user, rc.sess, rc.token = u, sess, c.Value
		}
	}
	rc.lang = i18n.Default
	switch {
	case rc.user != nil && i18n.Supported(rc.user.Lang):
		rc.lang = i18n.Normalize(rc.user.Lang)
	case i18n.Supported(r.URL.Query().Get("lang")):
		rc.lang = i18n.Normalize(r.URL.Query().Get("lang"))
	default:
		rc.lang = acceptLanguage(r.Header.Get("Accept-Language"))
	}
	rc.cat = i18n.Get(rc.lang)
}

// acceptLanguage picks the first language of the header that has a
// catalog (weights are taken in the order given, as browsers sort them).
func acceptLanguage(h string) string {
	for _, part := range strings.Split(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if i18n.Supported(tag) {
			return i18n.Normalize(tag)
		}
	}
	return i18n.Default
}

type loginView struct {
	Token, Next, Name, Error string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.user != nil && !rc.user.MustChange {
		return seeOther(w, r, "/cases", "")
	}
	return s.showLogin(w, r, rc, http.StatusOK, "", "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, name, errText string) error {
	tok := auth.Token()
	s.setCookie(w, loginCookie, tok, 30*time.Minute)
	next := localPath(r.URL.Query().Get("next"))
	if r.Method == http.MethodPost {
		next = localPath(r.PostForm.Get("next"))
	}
	s.render(w, rc, status, "login", "lab.login.title", loginView{Token: tok, Next: next, Name: name, Error: errText})
	return nil
}

// localPath keeps a redirect target on this site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/cases"
	}
	return p
}

var (
	dummyOnce sync.Once
	dummyHash string
)

func (s *Server) login(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return refuse(http.StatusBadRequest, "lab.error.bad_form")
	}
	c, err := r.Cookie(loginCookie)
	if !sameOrigin(r) || err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostForm.Get("token"))) != 1 {
		s.audit(r.Context(), rc, "login.csrf_refused", 0, "", "")
		return s.showLogin(w, r, rc, http.StatusForbidden, "", rc.cat.T("lab.error.csrf"))
	}
	name := strings.TrimSpace(r.PostForm.Get("name"))
	password := r.PostForm.Get("password")
	keys := []string{"ip:" + rc.remote, "user:" + strings.ToLower(name)}
	if ok, wait := s.limiter.Allow(keys...); !ok {
		s.audit(r.Context(), rc, "login.limited", 0, name, "")
		w.Header().Set("Retry-After", fmt.Sprint(int(wait.Seconds())+1))
		return s.showLogin(w, r, rc, http.StatusTooManyRequests, name,
			rc.cat.N("lab.login.limited", int(wait.Minutes())+1))
	}
	u, err := s.cfg.Store.UserByName(r.Context(), name)
	ok := false
	if err == nil && !u.Disabled {
		ok, err = auth.Verify(password, u.PassHash)
		if err != nil {
			s.cfg.Log.Error("password hash", "user", u.Name, "err", err)
		}
	} else {
		// the same work for an unknown name: no timing tells names apart
		dummyOnce.Do(func() { dummyHash, _ = auth.Hash("spyscan", s.cfg.Hash) })
		auth.Verify(password, dummyHash)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if !ok {
		s.limiter.Fail(keys...)
		s.audit(r.Context(), rc, "login.failed", 0, name, "")
		return s.showLogin(w, r, rc, http.StatusUnauthorized, name, rc.cat.T("lab.login.failed"))
	}
	s.limiter.Reset(keys[1])
	token := auth.Token()
	now := s.cfg.Now()
	if err := s.cfg.Store.CreateSession(r.Context(), token, store.Session{UserID: u.ID, CSRF: auth.Token(), Remote: rc.remote,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.SessionTTL)}); err != nil {
		return err
	}
	s.setCookie(w, sessionCookie, token, s.cfg.SessionTTL)
	s.setCookie(w, loginCookie, "", 0)
	rc.user = u
	s.audit(r.Context(), rc, "login", 0, u.Name, "")
	if u.MustChange {
		return seeOther(w, r, "/account/password", "")
	}
	http.Redirect(w, r, localPath(r.PostForm.Get("next")), http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.cfg.Store.DeleteSession(r.Context(), rc.token); err != nil {
		return err
	}
	s.setCookie(w, sessionCookie, "", 0)
	s.audit(r.Context(), rc, "logout", 0, rc.user.Name, "")
	return seeOther(w, r, "/login", "")
}

type passwordView struct {
	MustChange bool
	Error      string
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	s.render(w, rc, http.StatusOK, "password", "lab.password.title", passwordView{MustChange: rc.user.MustChange})
	return nil
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	f := r.PostForm
	again := func(status int, key string) error {
		s.render(w, rc, status, "password", "lab.password.title", passwordView{MustChange: rc.user.MustChange, Error: rc.cat.T(key)})
		return nil
	}
	if ok, _ := auth.Verify(f.Get("current"), rc.user.PassHash); !ok {
		s.audit(r.Context(), rc, "password.failed", 0, rc.user.Name, "wrong current password")
		return again(http.StatusUnauthorized, "lab.password.wrong_current")
	}
	if f.Get("new") != f.Get("confirm") {
		return again(http.StatusBadRequest, "lab.password.mismatch")
	}
	if p := auth.PasswordProblem(rc.user.Name, f.Get("new")); p != "" {
		return again(http.StatusBadRequest, "lab.password."+p)
	}
	if f.Get("new") == f.Get("current") {
		return again(http.StatusBadRequest, "lab.password.same")
	}
	h, err := auth.Hash(f.Get("new"), s.cfg.Hash)
	if err != nil {
		return err
	}
	if err := s.cfg.Store.SetPassword(r.Context(), rc.user.ID, h, false, rc.token); err != nil {
		return err
	}
	s.audit(r.Context(), rc, "password.change", 0, rc.user.Name, "")
	return seeOther(w, r, "/cases", "password_changed")
}

func (s *Server) setLang(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	lang := r.PostForm.Get("lang")
	if !i18n.Supported(lang) {
		return refuse(http.StatusBadRequest, "lab.error.bad_form")
	}
	if err := s.cfg.Store.SetLang(r.Context(), rc.user.ID, i18n.Normalize(lang)); err != nil {
		return err
	}
	http.Redirect(w, r, localPath(r.PostForm.Get("back")), http.StatusSeeOther)
	return nil
}
