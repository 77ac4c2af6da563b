package web_test

import (
	"errors"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/lab"
	"github.com/spyscan/spyscan/internal/lab/labtest"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/report/html/htmltest"
)

// TestInChromium drives the whole flow in headless Chromium, over plain
// HTTP on loopback as `spyscan serve` runs by default: log in with the
// one-time password and choose a password, create a case, add the demo
// acquisitions (files uploaded, a folder uploaded, folders by server
// path), scan them and watch the progress refresh itself, see the
// verdict, add an indicator file matching a name already stored, and see
// the NEW match without a rescan. Then, with JavaScript off, the pages and
// forms still work. The pages make no request anywhere but the lab, and
// log no error (no Content-Security-Policy violation).
func TestInChromium(t *testing.T) {
	if labtest.Race {
		// The race detector makes the demo scan and the storing of its
		// results 10 to 25 times slower (minutes of CI); the handlers run
		// under it in the other tests of this package.
		t.Skip("skipping the browser flow under the race detector: it runs in the plain test run")
	}
	htmltest.Chromium(t)
	demo := filepath.Join(repo(t), "demo")
	db := &labtest.DB{Engine: store.SQLite, DataDir: t.TempDir()}
	e := newEnv(t, db, func(c *lab.Config) {
		c.TLSCert, c.TLSKey, c.NoEmbedded, c.IOCPaths, c.Workers = "", "", false, nil, 2
	})
	otp, err := e.lab.InitAdmin(bg, "admin")
	if err != nil {
		t.Fatal(err)
	}
	b := htmltest.NewSiteBrowser(t, 1280, 900, strings.TrimPrefix(e.base, "http://"), 6*time.Minute)
	p := b.OpenSite(t, e.base+"/cases", "#login")
	pw := "correct horse battery staple"
	p.Run(htmltest.SendKeys("#name", "admin"), htmltest.SendKeys("#password", otp), htmltest.Submit("#login"),
		htmltest.WaitVisible("#password-form"),
		htmltest.SendKeys("#current", otp), htmltest.SendKeys("#new", pw), htmltest.SendKeys("#confirm", pw),
		htmltest.Submit("#password-form"), htmltest.WaitVisible("#new-case"),
		htmltest.SendKeys("#case-name", "Demo person"), htmltest.Submit("#new-case"), htmltest.WaitVisible("#case-name"))
	caseURL := caseLocation(t, p)

	// add fills one form of the "add an acquisition" page and sends it. A
	// file input is sent only once the browser has listed its files (it
	// reads a folder's asynchronously, and form.submit() skips "required").
	// The first step is tried again when the page it acted on was replaced
	// under it (htmltest.ErrPageChanged; with chromedp, Chromium's "No node
	// with given id found", seen at load 39):
	// each try starts from the case page's link, so the form starts empty.
	add := func(form, input string, fill htmltest.Action) {
		t.Helper()
		for try := 1; ; try++ {
			err := p.TryRun(htmltest.Click("#add-acquisition"), htmltest.WaitVisible("#upload-file"), fill)
			if err == nil {
				break
			}
			if try == 3 || !errors.Is(err, htmltest.ErrPageChanged) {
				t.Fatalf("add %s (try %d): %v", form, try, err)
			}
			p.Run(htmltest.Navigate(caseURL))
			wait(t, p, time.Minute, "#add-acquisition")
		}
		if input != "" {
			wait(t, p, time.Minute, "#"+input+":valid")
		}
		p.Run(htmltest.Submit("#" + form))
		wait(t, p, time.Minute, "#acquisitions, #error")
		var refused int
		if p.Eval(`document.querySelectorAll("#error").length`, &refused); refused > 0 {
			var why string
			p.Run(htmltest.Text("#error", &why))
			t.Fatalf("acquisition refused: %s", why)
		}
	}
	for _, f := range []string{"android-bugreport.zip", "backup.ab", "capture.pcapng"} {
		add("upload-file", "file", htmltest.SetUploadFiles("#file", []string{filepath.Join(demo, f)}))
	}
	add("upload-folder", "folder", htmltest.SetUploadFiles("#folder", []string{filepath.Join(demo, "zeek")}))
	for _, d := range []string{"ios-backup", "androidqf"} {
		add("server-path", "", htmltest.SendKeys("#path", filepath.Join(demo, d)))
	}
	var rows int
	p.Eval(`document.querySelectorAll("#acquisitions tbody tr").length`, &rows)
	if rows != 6 {
		t.Fatalf("%d acquisitions listed, want the 6 demo inputs", rows)
	}

	// Scan; lab.js refreshes the progress and reloads the page at the end.
	p.Run(htmltest.Click("#scan-button"))
	wait(t, p, time.Minute, "#scans")
	verdict := waitText(t, p, 4*time.Minute, `#case-verdict[data-verdict="detected"]`)
	if !strings.Contains(verdict, "Traces found") {
		t.Errorf("verdict %q", verdict)
	}

	// A new indicator file matching a name the capture resolved.
	iocs := filepath.Join(t.TempDir(), "later.stix2")
	os.WriteFile(iocs, labtest.Bundle("Predator", "big.example.org"), 0o644)
	p.Run(htmltest.Navigate(e.base+"/indicators"), htmltest.WaitVisible("#add-iocs"),
		htmltest.SetUploadFiles("#ioc-file", []string{iocs}), htmltest.Submit("#add-iocs"), htmltest.WaitVisible("#sources"))
	deadline := time.Now().Add(time.Minute)
	for {
		var text string
		p.Run(htmltest.Navigate(e.base+"/new"), htmltest.WaitVisible("main"), htmltest.Text("main", &text))
		if strings.Contains(text, "big.example.org") && strings.Contains(text, "Predator") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new match on /new:\n%s", text)
		}
		time.Sleep(200 * time.Millisecond)
	}
	p.Run(htmltest.Click(`#new-matches a`), htmltest.WaitVisible("#case-new"))
	var scans int
	p.Eval(`document.querySelectorAll("#scans tbody tr").length`, &scans)
	if scans != 1 {
		t.Errorf("%d scans: the new match must come without a rescan", scans)
	}
	if probs := p.Problems(); len(probs) > 0 {
		t.Errorf("the pages did what they must not:\n%s", strings.Join(probs, "\n"))
	}

	// JavaScript off: the same pages, and their forms, still work.
	q := b.OpenSite(t, e.base+"/cases", "#cases")
	q.Run(htmltest.DisableScripts(), htmltest.Click(`#cases a`), htmltest.WaitVisible("#case-new"),
		htmltest.Submit("#mark-seen"), htmltest.WaitVisible(".flash"))
	var after int
	q.Eval(`document.querySelectorAll("#case-new").length`, &after)
	if after != 0 {
		t.Error("the NEW mark is still shown after marking seen with JavaScript off")
	}
	if probs := q.Problems(); len(probs) > 0 {
		t.Errorf("with JavaScript off:\n%s", strings.Join(probs, "\n"))
	}
}

// wait waits until sel is in the page (lab.js reloads it as scans end).
func wait(t *testing.T, p *htmltest.Page, d time.Duration, sel string) {
	t.Helper()
	waitText(t, p, d, sel)
}

// caseLocation waits until the page is a case's page (/cases/ID) and
// returns its address.
func caseLocation(t *testing.T, p *htmltest.Page) string {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
		var loc string
		if err := p.TryEval(`location.href`, &loc); err == nil {
			if u, err := url.Parse(loc); err == nil && path.Dir(u.Path) == "/cases" {
				return loc
			}
		}
	}
	t.Fatal("the new case's page did not open")
	return ""
}

// waitText waits until an element matching sel is in the page and returns
// its text, read in the same evaluation: lab.js reloads the page while a
// scan runs and when it ends, so a node found by one read may be gone at
// the next, and a read during the reload fails (it is tried again).
func waitText(t *testing.T, p *htmltest.Page, d time.Duration, sel string) string {
	t.Helper()
	js := `(() => { const e = document.querySelector(` + "`" + sel + "`" + `); return e ? [true, e.textContent] : [false, ""] })()`
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		var found []any
		if err := p.TryEval(js, &found); err == nil && len(found) == 2 && found[0] == true {
			text, _ := found[1].(string)
			return text
		}
		time.Sleep(250 * time.Millisecond)
	}
	var body string
	p.Eval(`document.body.innerText`, &body)
	t.Fatalf("%s did not appear:\n%s", sel, body)
	return ""
}
