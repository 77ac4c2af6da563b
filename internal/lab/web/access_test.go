package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/lab/auth"
	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
)

// world is a lab with one case (made by the analyst "ana", with the viewer
// "vic" as a member), one finished scan in it, and people around it.
type world struct {
	*env
	caseA     *store.Case
	scanA     *store.Scan
	users     map[string]*store.User
	otherCase *store.Case
}

func newWorld(t *testing.T, db *labtest.DB) *world {
	e := newEnv(t, db)
	w := &world{env: e, users: map[string]*store.User{}}
	for name, role := range map[string]store.Role{"root": store.Admin, "ana": store.Analyst, "bob": store.Analyst, "vic": store.Viewer, "new": store.Analyst} {
		w.users[name] = e.user(name, role)
	}
	h, _ := auth.Hash("one-time-password", cheap)
	e.lab.Store.SetPassword(bg, w.users["new"].ID, h, true, "")
	var err error
	if w.caseA, err = e.lab.Store.CreateCase(bg, "Case of ana", "", w.users["ana"].ID); err != nil {
		t.Fatal(err)
	}
	e.lab.Store.AddMember(bg, w.caseA.ID, w.users["vic"].ID)
	e.lab.Store.AddMember(bg, w.caseA.ID, w.users["new"].ID)
	w.otherCase, _ = e.lab.Store.CreateCase(bg, "Case of bob", "", w.users["bob"].ID)
	acq, err := e.lab.Store.AddAcquisition(bg, store.Acquisition{CaseID: w.caseA.ID, Name: "capture.pcapng", Origin: store.ServerPath,
		Path: repo(t) + "/demo/capture.pcapng", Kind: "pcap"})
	if err != nil {
		t.Fatal(err)
	}
	sc, err := e.lab.Queue.Enqueue(bg, w.caseA.ID, []int64{acq.ID}, w.users["ana"].ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if w.scanA = e.waitScan(sc.ID); w.scanA.State != store.Done {
		t.Fatalf("scan %+v", w.scanA)
	}
	return w
}

// session is a browser with a fresh session of user (nil: no session).
func (w *world) session(u *store.User) *client {
	c := w.client()
	if u == nil {
		return c
	}
	tok, csrf := auth.Token(), auth.Token()
	now := time.Now()
	if err := w.lab.Store.CreateSession(bg, tok, store.Session{UserID: u.ID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		w.t.Fatal(err)
	}
	base, _ := url.Parse(w.base)
	c.http.Jar.SetCookies(base, []*http.Cookie{{Name: "__Host-spyscan", Value: tok, Path: "/", Secure: true}})
	c.csrf = csrf
	return c
}

type outcome string

const (
	allowed    outcome = "allowed"
	toLogin    outcome = "login"
	mustChange outcome = "must change password"
	forbidden  outcome = "forbidden"
	notFound   outcome = "not found"
)

// expect states the access rules independently of the server's code.
func expect(access string, caseRoute bool, who string) outcome {
	roles := map[string]string{"root": "admin", "ana": "analyst", "bob": "analyst", "vic": "viewer", "new": "analyst"}
	member := map[string]bool{"ana": true, "vic": true, "new": true}
	role := roles[who]
	switch {
	case access == "public":
		return allowed
	case who == "":
		return toLogin
	case who == "new" && access != "any user":
		return mustChange
	case access == "analyst" && role == "viewer", access == "admin" && role != "admin":
		return forbidden
	case caseRoute && role != "admin" && !member[who]:
		return notFound
	case access == "case analyst" && role == "viewer":
		return forbidden
	}
	return allowed
}

// TestRouteAccess walks every route, unauthenticated and as each kind of
// user, and checks the access rules: who is sent to log in, who must
// first change a one-time password, who is refused, and for whom a case
// they are not a member of does not exist.
func TestRouteAccess(t *testing.T) {
	labtest.Engines(t, func(t *testing.T, db *labtest.DB) {
		w := newWorld(t, db)
		en := i18n.Get("en")
		denials := map[outcome]string{toLogin: en.T("lab.error.login"), mustChange: en.T("lab.error.must_change"),
			forbidden: en.T("lab.error.forbidden"), notFound: en.T("lab.error.not_found")}
		routes := w.lab.Web.Routes()
		if len(routes) < 30 {
			t.Fatalf("only %d routes", len(routes))
		}
		checked := 0
		for _, rt := range routes {
			if rt.Method == "POST" && rt.Pattern == "/login" {
				continue // its own token; TestCSRF and TestLoginRateLimit cover it
			}
			p := strings.NewReplacer("{$}", "", "{format}", "stix").Replace(rt.Pattern)
			switch {
			case rt.Case == "scan":
				p = strings.Replace(p, "{id}", strconv.FormatInt(w.scanA.ID, 10), 1)
			case rt.Case == "case":
				p = strings.Replace(p, "{id}", strconv.FormatInt(w.caseA.ID, 10), 1)
			default:
				p = strings.Replace(p, "{id}", strconv.FormatInt(w.users["bob"].ID, 10), 1)
			}
			for _, who := range []string{"", "root", "ana", "bob", "vic", "new"} {
				want := expect(rt.AccessName(), rt.Case != "", who)
				c := w.session(w.users[who])
				var r response
				if rt.Method == "GET" {
					r = c.getR(p)
				} else {
					r = c.post(p, nil)
				}
				checked++
				where := rt.Method + " " + p + " as " + who
				if who == "" {
					where += "(nobody)"
				}
				loc := r.header.Get("Location")
				switch want {
				case allowed:
					if r.status == 500 || strings.HasPrefix(loc, "/login?next=") || loc == "/account/password" && rt.Pattern != "/account/password" {
						t.Errorf("%s: %d to %q, want it allowed", where, r.status, loc)
					}
					for o, text := range denials {
						if strings.Contains(r.body, text) {
							t.Errorf("%s: %d, %s, want it allowed", where, r.status, o)
						}
					}
				case toLogin, mustChange:
					target := map[outcome]string{toLogin: "/login?next=", mustChange: "/account/password"}[want]
					if rt.Method == "GET" && (r.status != http.StatusSeeOther || !strings.HasPrefix(loc, target)) {
						t.Errorf("%s: %d to %q, want a redirect to %s", where, r.status, loc, target)
					}
					if rt.Method == "POST" && (r.status != http.StatusForbidden || !strings.Contains(r.body, denials[want])) {
						t.Errorf("%s: %d, want 403 (%s)", where, r.status, want)
					}
				case forbidden, notFound:
					status := map[outcome]int{forbidden: 403, notFound: 404}[want]
					if r.status != status || !strings.Contains(r.body, denials[want]) {
						t.Errorf("%s: %d, want %d (%s)", where, r.status, status, want)
					}
				}
			}
		}
		t.Logf("%d route × user checks", checked)
	})
}

// TestCrossCaseAccess: a user who is not a member of a case can neither
// see it nor reach it through its scans, nor act on it, nor use its
// acquisitions from their own case.
func TestCrossCaseAccess(t *testing.T) {
	w := newWorld(t, &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()})
	bob := w.session(w.users["bob"])
	a, s := strconv.FormatInt(w.caseA.ID, 10), strconv.FormatInt(w.scanA.ID, 10)
	for _, p := range []string{"/cases/" + a, "/cases/" + a + "/timeline", "/cases/" + a + "/audit", "/scans/" + s + "/report",
		"/scans/" + s + "/export/alerts", "/scans/" + s + "/export/timeline", "/scans/" + s + "/progress"} {
		if st, body := bob.get(p); st != 404 || strings.Contains(body, "coazoa.com") || strings.Contains(body, "Case of ana") {
			t.Errorf("bob GET %s: %d", p, st)
		}
	}
	for _, p := range []string{"/cases/" + a + "/scans", "/cases/" + a + "/seen", "/scans/" + s + "/retry"} {
		if r := bob.post(p, url.Values{"acquisition": {"1"}}); r.status != 404 {
			t.Errorf("bob POST %s: %d", p, r.status)
		}
	}
	acqs, _ := w.lab.Store.Acquisitions(bg, w.caseA.ID)
	other := strconv.FormatInt(w.otherCase.ID, 10)
	if r := bob.post("/cases/"+other+"/scans", url.Values{"acquisition": {strconv.FormatInt(acqs[0].ID, 10)}}); r.status != 400 {
		t.Errorf("bob scanning ana's acquisition from his case: %d", r.status)
	}
	if scans, _ := w.lab.Store.Scans(bg, w.otherCase.ID); len(scans) != 0 {
		t.Errorf("a scan of another case's acquisition was queued: %+v", scans)
	}
	for _, p := range []string{"/cases", "/new"} {
		if _, body := bob.get(p); strings.Contains(body, "Case of ana") {
			t.Errorf("bob's %s shows ana's case", p)
		}
	}
	// Guessing ids beyond the cases: the same answer as a forbidden case.
	if st, _ := bob.get("/cases/999999"); st != 404 {
		t.Errorf("unknown case: %d", st)
	}
	if st, _ := bob.get("/scans/999999/report"); st != 404 {
		t.Errorf("unknown scan: %d", st)
	}
}

// TestCSRF: a state change without the session's token, with another
// session's token, or from another site is refused and changes nothing.
func TestCSRF(t *testing.T) {
	w := newWorld(t, &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()})
	ana, root := w.session(w.users["ana"]), w.session(w.users["root"])
	before, _ := w.lab.Store.Cases(bg, w.users["root"])
	en := i18n.Get("en")
	for name, form := range map[string]url.Values{
		"no token":              {"name": {"x"}, "csrf": {""}},
		"a wrong token":         {"name": {"x"}, "csrf": {"AAAA"}},
		"another user's token":  {"name": {"x"}, "csrf": {root.csrf}},
		"the token in the URL?": {"name": {"x"}, "csrf": nil},
	} {
		path := "/cases"
		if name == "the token in the URL?" {
			path += "?csrf=" + url.QueryEscape(ana.csrf)
			delete(form, "csrf")
			form2 := url.Values{"name": {"x"}}
			req, _ := http.NewRequest("POST", w.base+path, strings.NewReader(form2.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if r := ana.do(req); r.status != 403 || !strings.Contains(r.body, en.T("lab.error.csrf")) {
				t.Errorf("%s: %d", name, r.status)
			}
			continue
		}
		if r := ana.post(path, form); r.status != 403 || !strings.Contains(r.body, en.T("lab.error.csrf")) {
			t.Errorf("%s: %d, want 403", name, r.status)
		}
	}
	// The right token from another site (a form posted by a page elsewhere).
	form := url.Values{"name": {"x"}, "csrf": {ana.csrf}}
	req, _ := http.NewRequest("POST", w.base+"/cases", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	if r := ana.do(req); r.status != 403 {
		t.Errorf("cross-site POST: %d", r.status)
	}
	req, _ = http.NewRequest("POST", w.base+"/cases", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if r := ana.do(req); r.status != 403 {
		t.Errorf("cross-site POST without Origin: %d", r.status)
	}
	// An upload whose first part is not the token stores nothing.
	acqDir := w.db.DataDir + "/acquisitions"
	ana.csrf = "forged"
	if r := ana.upload("/cases/"+strconv.FormatInt(w.caseA.ID, 10)+"/acquisitions", map[string][]byte{"x.pcap": []byte("data")}); r.status != 403 {
		t.Errorf("upload with a forged token: %d", r.status)
	}
	if entries, _ := listDir(acqDir); len(entries) != 0 {
		t.Errorf("a refused upload left %v", entries)
	}
	// A login form without its token.
	c := w.client()
	if st, _ := c.postLogin("ana", "ana-password-1"); st != 403 {
		t.Errorf("login without the login page's token: %d", st)
	}
	after, _ := w.lab.Store.Cases(bg, w.users["root"])
	if len(after) != len(before) {
		t.Errorf("%d cases after refused requests, %d before", len(after), len(before))
	}
	log, _ := w.lab.Store.AuditLog(bg, store.AuditFilter{})
	refused := 0
	for _, e := range log {
		if e.Action == "csrf.refused" || e.Action == "login.csrf_refused" {
			refused++
		}
	}
	if refused < 6 {
		t.Errorf("%d refusals in the audit log", refused)
	}
}

// TestLoginRateLimit: after 5 failures an account is refused for a while,
// even with the right password, and every attempt is audited.
func TestLoginRateLimit(t *testing.T) {
	w := newWorld(t, &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()})
	c := w.client()
	for i := range 5 {
		c.get("/login")
		if st, _ := c.postLogin("ana", "wrong"); st != 401 {
			t.Fatalf("attempt %d: %d", i+1, st)
		}
	}
	c.get("/login")
	r := c.post("/login", url.Values{"token": {c.csrf}, "name": {"ana"}, "password": {"ana-password-1"}, "csrf": nil})
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("6th attempt with the right password: %d, Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	// Another account from the same address is limited too (the address
	// made 5 failures); an unknown name costs the same as a known one.
	c.get("/login")
	if st, _ := c.postLogin("bob", "bob-password-1"); st != http.StatusTooManyRequests {
		t.Errorf("another account from the same address: %d", st)
	}
	log, _ := w.lab.Store.AuditLog(bg, store.AuditFilter{})
	n := map[string]int{}
	for _, e := range log {
		n[e.Action]++
	}
	if n["login.failed"] != 5 || n["login.limited"] != 2 || n["login"] != 0 {
		t.Errorf("audit: %v", n)
	}
}

// TestSessionCookie: the session cookie is Secure, HttpOnly, SameSite
// strict and __Host- prefixed; logging out ends the session server-side.
func TestSessionCookie(t *testing.T) {
	w := newWorld(t, &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()})
	c := w.client()
	c.get("/login")
	r := c.post("/login", url.Values{"token": {c.csrf}, "name": {"ana"}, "password": {"ana-password-1"}, "csrf": nil})
	var sess *http.Cookie
	for _, ck := range (&http.Response{Header: r.header}).Cookies() {
		if ck.Name == "__Host-spyscan" {
			sess = ck
		}
	}
	if sess == nil || !sess.Secure || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || sess.Path != "/" || sess.Domain != "" {
		t.Fatalf("session cookie %+v", sess)
	}
	if st, _ := c.get("/cases"); st != 200 {
		t.Fatalf("cases after login: %d", st)
	}
	c.get("/cases")
	if r := c.post("/logout", nil); r.status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.status)
	}
	// The old cookie replayed after logout opens nothing.
	replay := w.client()
	base, _ := url.Parse(w.base)
	replay.http.Jar.SetCookies(base, []*http.Cookie{{Name: "__Host-spyscan", Value: sess.Value, Path: "/", Secure: true}})
	if st, _ := replay.get("/cases"); st != http.StatusSeeOther {
		t.Errorf("a logged-out session still works: %d", st)
	}
	if r := w.client().getR("/cases"); r.header.Get("Content-Security-Policy") == "" || r.header.Get("X-Frame-Options") != "DENY" ||
		r.header.Get("Strict-Transport-Security") == "" {
		t.Errorf("security headers missing: %v", r.header)
	}
}
