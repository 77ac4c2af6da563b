package web_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/lab"
	"github.com/spyscan/spyscan/internal/lab/auth"
	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
)

var bg = context.Background()

// cheap argon2id parameters keep the tests fast; the code path is the same.
var cheap = auth.Params{Memory: 64, Time: 1, Threads: 1}

// repo is the repository root (tests read only inside it).
func repo(t *testing.T) string {
	p, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// env is a running lab, served over TLS on loopback.
type env struct {
	t    *testing.T
	lab  *lab.Lab
	base string
	pool *x509.CertPool
	db   *labtest.DB
	stop func()
}

func newEnv(t *testing.T, db *labtest.DB, tweak ...func(*lab.Config)) *env {
	t.Helper()
	iocs := filepath.Join(t.TempDir(), "pegasus.stix2")
	os.WriteFile(iocs, labtest.Bundle("Pegasus", "coazoa.com"), 0o644)
	cert, key, pool := labtest.SelfSigned(t)
	cfg := lab.Config{DataDir: db.DataDir, DSN: db.DSN, Listen: "127.0.0.1:0", TLSCert: cert, TLSKey: key,
		NoEmbedded: true, IOCPaths: []string{iocs}, Workers: 1, Hash: cheap, Version: "test",
		Roots: []string{filepath.Join(repo(t), "demo")},
		UpdateIndicators: func(context.Context, indicators.UpdateOptions) ([]indicators.UpdateResult, error) {
			return nil, nil // no network in tests
		}}
	for _, f := range tweak {
		f(&cfg)
	}
	l, err := lab.Open(bg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := l.Listen()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(bg)
	done := make(chan error, 1)
	go func() { done <- l.Serve(ctx, ln) }()
	scheme := "https://"
	if cfg.TLSCert == "" {
		scheme = "http://"
	}
	e := &env{t: t, lab: l, base: scheme + ln.Addr().String(), pool: pool, db: db}
	e.stop = func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		l.Close()
	}
	t.Cleanup(func() {
		if e.stop != nil {
			e.stop()
		}
	})
	return e
}

// shutdown stops the server now (a restart test opens another).
func (e *env) shutdown() {
	e.stop()
	e.stop = nil
}

// user creates an account with a known password.
func (e *env) user(name string, role store.Role) *store.User {
	e.t.Helper()
	h, _ := auth.Hash(name+"-password-1", cheap)
	u, err := e.lab.Store.CreateUser(bg, name, h, role, false)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// client is one browser.
type client struct {
	t    *testing.T
	e    *env
	http *http.Client
	csrf string // from the last page that had a form
}

func (e *env) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: e.t, e: e, http: &http.Client{
		Jar:           jar,
		Timeout:       2 * time.Minute,
		Transport:     &http.Transport{TLSClientConfig: &tls.Config{RootCAs: e.pool}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// login logs in through the login page.
func (e *env) login(name string) *client {
	c := e.client()
	if st, _ := c.get("/login"); st != 200 {
		e.t.Fatalf("login page: %d", st)
	}
	st, loc := c.postLogin(name, name+"-password-1")
	if st != http.StatusSeeOther || loc == "" || strings.HasPrefix(loc, "/login") {
		e.t.Fatalf("login of %s: %d to %q", name, st, loc)
	}
	return c
}

var tokenRe = regexp.MustCompile(`name="(csrf|token)" value="([^"]+)"`)

type response struct {
	status int
	body   string
	header http.Header
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	for _, m := range tokenRe.FindAllStringSubmatch(string(b), -1) {
		c.csrf = m[2]
	}
	return response{resp.StatusCode, string(b), resp.Header}
}

func (c *client) get(path string) (int, string) {
	r := c.getR(path)
	return r.status, r.body
}

func (c *client) getR(path string) response {
	req, _ := http.NewRequest("GET", c.e.base+path, nil)
	return c.do(req)
}

// post sends a form with the current CSRF token (unless the form has one).
func (c *client) post(path string, form url.Values) response {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest("POST", c.e.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}

func (c *client) postLogin(name, password string) (int, string) {
	r := c.post("/login", url.Values{"token": {c.csrf}, "name": {name}, "password": {password}, "csrf": nil})
	return r.status, r.header.Get("Location")
}

// upload posts files as multipart: csrf first, then each file under
// field "file" with its (relative) name.
func (c *client) upload(path string, files map[string][]byte, order ...string) response {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf", c.csrf)
	if len(order) == 0 {
		for n := range files {
			order = append(order, n)
		}
	}
	for _, n := range order {
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{`form-data; name="file"; filename="` + n + `"`}
		h["Content-Type"] = []string{"application/octet-stream"}
		w, _ := mw.CreatePart(h)
		w.Write(files[n])
	}
	mw.Close()
	req, _ := http.NewRequest("POST", c.e.base+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return c.do(req)
}

// waitScan waits until a scan leaves the queue.
func (e *env) waitScan(id int64) *store.Scan {
	e.t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		sc, err := e.lab.Store.Scan(bg, id)
		if err != nil {
			e.t.Fatal(err)
		}
		if sc.State != store.Queued && sc.State != store.Running {
			return sc
		}
		time.Sleep(25 * time.Millisecond)
	}
	e.t.Fatalf("scan %d did not finish", id)
	return nil
}

// waitRetro waits until a retro-hunt run numbered at least n is done.
func (e *env) waitRetro(n int64) store.RetroRun {
	e.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		runs, err := e.lab.Store.RetroRuns(bg, 1)
		if err != nil {
			e.t.Fatal(err)
		}
		if len(runs) > 0 && runs[0].ID >= n && runs[0].State != "running" {
			return runs[0]
		}
		time.Sleep(25 * time.Millisecond)
	}
	e.t.Fatalf("retro-hunt %d did not finish", n)
	return store.RetroRun{}
}
