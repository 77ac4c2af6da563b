// Package htmltest opens spyscan's HTML reports in headless Chromium for
// tests, as a person would: it records console errors and every network
// request or connection the page attempts (a report must make none), and
// measures what a reader sees: text, horizontal overflow at a window width,
// the number of pages when printed, a screenshot. Debian's chromium is used
// (apt-get install chromium; $SPYSCAN_CHROMIUM for another path); without it
// the tests skip, except in CI (CI=true), where they fail. The browser is
// driven through the DevTools protocol over a pipe (cdp.go), with the few
// commands these tests use: no client library is compiled into the tests.
package htmltest

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Chromium returns the browser's path, or skips the test when it is missing
// outside CI.
func Chromium(t testing.TB) string {
	t.Helper()
	p := os.Getenv("SPYSCAN_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found, and CI=true: install it (apt-get install -y chromium)", p)
		}
		t.Skipf("skipping the browser test: %s not found (apt-get install -y chromium; set SPYSCAN_CHROMIUM for another path)", p)
	}
	return p
}

// Browser is one headless Chromium whose traffic goes through a trap proxy.
type Browser struct {
	ctx   context.Context
	conn  *conn
	proxy *trapProxy
}

// NewBrowser starts Chromium with a window of the given size. It is closed
// when the test ends.
func NewBrowser(t *testing.T, width, height int) *Browser {
	return newBrowser(t, width, height, "<-loopback>", 3*time.Minute)
}

// NewSiteBrowser is NewBrowser for pages of a server on this machine at
// hostport (such as the lab): the browser reaches that server directly,
// and every other connection, loopback included, goes to the trap proxy.
// It lives for at most d (a flow may wait for scans).
func NewSiteBrowser(t *testing.T, width, height int, hostport string, d time.Duration) *Browser {
	return newBrowser(t, width, height, "<-loopback>;"+hostport, d)
}

// flags are Chromium's command-line switches, besides the proxy, profile
// and window.
var flags = []string{
	"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
	"--disable-background-networking", "--disable-component-update", "--disable-sync",
	"--no-default-browser-check", "--hide-scrollbars",
	// Quiet the browser's own background traffic, so that the trap proxy
	// sees only what the page would fetch.
	"--disable-extensions", "--disable-default-apps", "--disable-client-side-phishing-detection",
	"--disable-domain-reliability", "--no-pings", "--metrics-recording-only",
	"--safebrowsing-disable-auto-update", "--disable-breakpad",
	// Chromium 148 (Debian 12, 2026-12) also preconnects to its search
	// engine (PreconnectToSearch) and asks www.google.com/async/folae
	// whether its AI mode applies (Aim*), whatever the page: seen in a
	// net-log (--log-net-log) of a blank page, gone with these.
	"--disable-features=OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,PasswordLeakDetection,CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying,SigninInterception,PreconnectToSearch,AimEnabled,AimServerEligibilityEnabled,AimServerRequestOnStartupEnabled",
}

func newBrowser(t *testing.T, width, height int, bypass string, d time.Duration) *Browser {
	exe := Chromium(t)
	proxy := newTrapProxy(t)
	profile := freshProfile(t)
	// Chromium's own temporary folders (org.chromium.Chromium.*) go inside
	// the profile, which is removed after the test, not in the system's.
	tmp := filepath.Join(profile, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		t.Fatal(err)
	}
	args := append(slices.Clone(flags),
		"--proxy-server=http://"+proxy.ln.Addr().String(), "--proxy-bypass-list="+bypass,
		"--user-data-dir="+profile, "--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height),
		"--remote-debugging-pipe", "about:blank")
	ctx, cancel := context.WithTimeout(context.Background(), d)
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	// The browser reads commands from its descriptor 3 and writes to its 4.
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.ExtraFiles = []*os.File{cmdR, outW}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cmdR.Close()
	outW.Close()
	b := &Browser{ctx: ctx, conn: newConn(cmdW, outR), proxy: proxy}
	t.Cleanup(func() {
		// Ask the browser to close, then kill it if it has not within 5 s.
		closed := make(chan struct{})
		go func() { cmd.Wait(); close(closed) }()
		cctx, ccancel := context.WithTimeout(context.Background(), 5*time.Second)
		b.conn.call(cctx, "", "Browser.close", nil, nil)
		select {
		case <-closed:
		case <-cctx.Done():
			cmd.Process.Kill()
			<-closed
		}
		ccancel()
		cancel()
		cmdW.Close()
		outR.Close()
	})
	if err := b.conn.call(ctx, "", "Browser.getVersion", nil, nil); err != nil { // the browser is up
		t.Fatal(err)
	}
	return b
}

// Page is one report opened in a tab.
type Page struct {
	t       *testing.T
	ctx     context.Context
	b       *Browser
	session string
	loads   chan string // the loader id of each document that finished loading
	mu      sync.Mutex
	issues  []string // console errors, exceptions, dialogs, requests
}

// Open loads file (an absolute path) in a new tab and waits until #sel is
// visible. Any request the page makes is a problem.
func (b *Browser) Open(t *testing.T, file, sel string) *Page {
	t.Helper()
	url := "file://" + file
	return b.open(t, url, sel, func(u string) bool { return u == url })
}

// OpenSite loads url, a page of a server on this machine (the lab), in a
// new tab and waits until #sel is visible. Requests to that server are the
// page's own; a request anywhere else is a problem, as for a report.
func (b *Browser) OpenSite(t *testing.T, url, sel string) *Page {
	t.Helper()
	origin := url
	if i := strings.Index(url, "://"); i >= 0 {
		if j := strings.IndexByte(url[i+3:], '/'); j >= 0 {
			origin = url[:i+3+j]
		}
	}
	return b.open(t, url, sel, func(u string) bool { return u == origin || strings.HasPrefix(u, origin+"/") })
}

func (b *Browser) open(t *testing.T, url, sel string, own func(string) bool) *Page {
	t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.conn.call(b.ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		t.Fatal(err)
	}
	var attached struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.conn.call(b.ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &attached); err != nil {
		t.Fatal(err)
	}
	p := &Page{t: t, ctx: b.ctx, b: b, session: attached.SessionID, loads: make(chan string, 64)}
	b.conn.listen(p.session, func(method string, params json.RawMessage) { p.event(method, params, own) })
	t.Cleanup(func() {
		b.conn.call(context.Background(), "", "Target.closeTarget", map[string]any{"targetId": target.TargetID}, nil)
	})
	for _, domain := range []string{"Network", "Log", "Runtime", "Page"} {
		if err := p.call(domain+".enable", nil, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := p.call("Page.setLifecycleEventsEnabled", map[string]any{"enabled": true}, nil); err != nil {
		t.Fatal(err)
	}
	if err := p.TryRun(Navigate(url), WaitVisible(sel)); err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	return p
}

// event records what the page did that a report must not.
func (p *Page) event(method string, params json.RawMessage, own func(string) bool) {
	switch method {
	case "Runtime.consoleAPICalled":
		var e struct {
			Type string            `json:"type"`
			Args []json.RawMessage `json:"args"`
		}
		json.Unmarshal(params, &e)
		if e.Type == "error" || e.Type == "warning" || e.Type == "assert" {
			p.add(fmt.Sprintf("console %s: %s", e.Type, e.Args))
		}
	case "Runtime.exceptionThrown":
		var e struct {
			Details struct {
				Text string `json:"text"`
			} `json:"exceptionDetails"`
		}
		json.Unmarshal(params, &e)
		p.add("exception: " + e.Details.Text)
	case "Log.entryAdded":
		var e struct {
			Entry struct{ Level, Text, URL string } `json:"entry"`
		}
		json.Unmarshal(params, &e)
		if e.Entry.Level == "error" || e.Entry.Level == "warning" {
			p.add(fmt.Sprintf("log %s: %s %s", e.Entry.Level, e.Entry.Text, e.Entry.URL))
		}
	case "Page.javascriptDialogOpening":
		var e struct{ Message string }
		json.Unmarshal(params, &e)
		p.add("a dialog opened: " + e.Message)
	case "Network.requestWillBeSent":
		var e struct {
			Request struct{ URL string } `json:"request"`
		}
		json.Unmarshal(params, &e)
		if !own(e.Request.URL) {
			p.add("network request: " + e.Request.URL)
		}
	case "Page.lifecycleEvent":
		var e struct{ Name, LoaderID string }
		json.Unmarshal(params, &e)
		if e.Name == "load" {
			select {
			case p.loads <- e.LoaderID:
			default: // nobody waits: the oldest ids are not needed
			}
		}
	}
}

func (p *Page) add(s string) {
	p.mu.Lock()
	p.issues = append(p.issues, s)
	p.mu.Unlock()
}

// call sends a command to the page's tab.
func (p *Page) call(method string, params, out any) error {
	return p.b.conn.call(p.ctx, p.session, method, params, out)
}

// Action is one step a reader takes in a page (open, wait, type, click).
type Action func(p *Page) error

// Run runs actions in the page's tab, failing the test at the first error.
func (p *Page) Run(actions ...Action) {
	p.t.Helper()
	if err := p.TryRun(actions...); err != nil {
		p.t.Fatal(err)
	}
}

// TryRun is Run that returns the error instead of failing the test, for
// a step the caller may retry.
func (p *Page) TryRun(actions ...Action) error {
	for _, a := range actions {
		if err := a(p); err != nil {
			return err
		}
	}
	return nil
}

// Eval evaluates a JavaScript expression into out (the page itself has no
// script; this is the test reading the DOM).
func (p *Page) Eval(js string, out any) {
	p.t.Helper()
	if err := p.TryEval(js, out); err != nil {
		p.t.Fatal(err)
	}
}

// TryEval is Eval that returns the error instead of failing the test: a
// page that reloads itself can lose its context between two reads.
func (p *Page) TryEval(js string, out any) error {
	var r struct {
		Result struct {
			Type  string          `json:"type"`
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	if err := p.call("Runtime.evaluate", map[string]any{"expression": js, "returnByValue": true}, &r); err != nil {
		return changed(err)
	}
	if r.Exception != nil {
		return fmt.Errorf("evaluating %.60q: %s %s", js, r.Exception.Text, r.Exception.Exception.Description)
	}
	if out == nil {
		return nil
	}
	if r.Result.Type == "undefined" {
		return fmt.Errorf("evaluating %.60q: undefined", js)
	}
	return json.Unmarshal(r.Result.Value, out)
}

// changed marks err as ErrPageChanged when the browser says the document
// it acted on is gone.
func changed(err error) error {
	var ce *cdpError
	if errors.As(err, &ce) && (strings.Contains(ce.Message, "context") || strings.Contains(ce.Message, "No node")) {
		return fmt.Errorf("%w: %w", ErrPageChanged, err)
	}
	return err
}

// Navigate loads url in the tab and waits for the load event of that
// document (not of one the page itself was loading, such as a reload).
func Navigate(url string) Action {
	return func(p *Page) error {
		for len(p.loads) > 0 {
			<-p.loads
		}
		var r struct {
			LoaderID  string `json:"loaderId"`
			ErrorText string `json:"errorText"`
		}
		if err := p.call("Page.navigate", map[string]any{"url": url}, &r); err != nil {
			return err
		}
		if r.ErrorText != "" {
			return fmt.Errorf("navigating to %s: %s", url, r.ErrorText)
		}
		for {
			select {
			case id := <-p.loads:
				if id == r.LoaderID || r.LoaderID == "" {
					return nil
				}
			case <-p.ctx.Done():
				return fmt.Errorf("navigating to %s: %w", url, p.ctx.Err())
			}
		}
	}
}

// element is the JavaScript expression of the first element matching the
// CSS selector sel.
func element(sel string) string {
	q, _ := json.Marshal(sel)
	return "document.querySelector(" + string(q) + ")"
}

// WaitVisible waits until an element matches the CSS selector sel and is
// visible (it has a size or a box), as a reader would wait for it.
func WaitVisible(sel string) Action {
	js := `(() => { const e = ` + element(sel) + `; return !!e && Boolean(e.offsetWidth || e.offsetHeight || e.getClientRects().length) })()`
	return func(p *Page) error {
		for {
			var ok bool
			if err := p.TryEval(js, &ok); err == nil && ok {
				return nil
			}
			select {
			case <-p.ctx.Done():
				return fmt.Errorf("waiting for %s: %w", sel, p.ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}
}

// onElement runs the function js (of the element matching sel, visible
// first) and decodes its result into out.
func onElement(p *Page, sel, js string, out any) error {
	if err := WaitVisible(sel)(p); err != nil {
		return err
	}
	err := p.TryEval(`(`+js+`)(`+element(sel)+`)`, out)
	if err != nil && !errors.Is(err, ErrPageChanged) && strings.Contains(err.Error(), "null") {
		return fmt.Errorf("%w: %s: %w", ErrPageChanged, sel, err) // it went between the wait and the action
	}
	return err
}

// Click clicks the middle of the element matching sel with the mouse.
func Click(sel string) Action {
	return func(p *Page) error {
		var at [2]float64
		if err := onElement(p, sel, `e => { e.scrollIntoViewIfNeeded(); const r = e.getBoundingClientRect(); return [r.left + r.width/2, r.top + r.height/2] }`, &at); err != nil {
			return fmt.Errorf("click %s: %w", sel, err)
		}
		for _, typ := range []string{"mousePressed", "mouseReleased"} {
			if err := p.call("Input.dispatchMouseEvent", map[string]any{"type": typ, "x": at[0], "y": at[1], "button": "left", "clickCount": 1}, nil); err != nil {
				return fmt.Errorf("click %s: %w", sel, err)
			}
		}
		return nil
	}
}

// SendKeys focuses the element matching sel and types text, one key per
// character.
func SendKeys(sel, text string) Action {
	return func(p *Page) error {
		if err := onElement(p, sel, `e => { e.focus(); return true }`, nil); err != nil {
			return fmt.Errorf("typing in %s: %w", sel, err)
		}
		for _, r := range text {
			for _, typ := range []string{"keyDown", "keyUp"} {
				ev := map[string]any{"type": typ, "key": string(r)}
				if typ == "keyDown" {
					ev["text"], ev["unmodifiedText"] = string(r), string(r)
				}
				if err := p.call("Input.dispatchKeyEvent", ev, nil); err != nil {
					return fmt.Errorf("typing in %s: %w", sel, err)
				}
			}
		}
		return nil
	}
}

// Submit submits the form matching sel, or the form of the element
// matching sel, and waits until the page it leads to has loaded, as a
// reader would (a navigation started before then would cancel the form's
// request: an upload could be lost).
func Submit(sel string) Action {
	return func(p *Page) error {
		if err := WaitVisible(sel)(p); err != nil {
			return fmt.Errorf("submit %s: %w", sel, err)
		}
		for len(p.loads) > 0 {
			<-p.loads
		}
		var ok bool
		if err := onElement(p, sel, `e => { const f = e.nodeName === "FORM" ? e : e.form; if (!f) return false; HTMLFormElement.prototype.submit.call(f); return true }`, &ok); err != nil {
			return fmt.Errorf("submit %s: %w", sel, err)
		}
		if !ok {
			return fmt.Errorf("submit %s: not a form nor in one", sel)
		}
		select {
		case <-p.loads:
			return nil
		case <-p.ctx.Done():
			return fmt.Errorf("submit %s: waiting for the next page: %w", sel, p.ctx.Err())
		}
	}
}

// Text reads the text a reader sees in the element matching sel.
func Text(sel string, out *string) Action {
	return func(p *Page) error {
		return onElement(p, sel, `e => e.innerText`, out)
	}
}

// SetUploadFiles chooses files (or a folder, for a folder input) in the
// file input matching sel, as a reader would in the file dialog.
func SetUploadFiles(sel string, files []string) Action {
	return func(p *Page) error {
		var r struct {
			Result struct {
				ObjectID string `json:"objectId"`
			} `json:"result"`
		}
		for r.Result.ObjectID == "" {
			if err := p.call("Runtime.evaluate", map[string]any{"expression": element(sel)}, &r); err != nil {
				return fmt.Errorf("files for %s: %w", sel, changed(err))
			}
			if r.Result.ObjectID == "" {
				select {
				case <-p.ctx.Done():
					return fmt.Errorf("files for %s: %w", sel, p.ctx.Err())
				case <-time.After(50 * time.Millisecond):
				}
			}
		}
		if err := p.call("DOM.setFileInputFiles", map[string]any{"files": files, "objectId": r.Result.ObjectID}, nil); err != nil {
			return fmt.Errorf("files for %s: %w", sel, changed(err))
		}
		return nil
	}
}

// DisableScripts turns JavaScript off in the tab, as a reader may.
func DisableScripts() Action {
	return func(p *Page) error {
		return p.call("Emulation.setScriptExecutionDisabled", map[string]any{"value": true}, nil)
	}
}

// OpenAllDetails unfolds every <details>, as a reader who clicks them all.
func (p *Page) OpenAllDetails() {
	var n int
	p.Eval(`(() => { const d = document.querySelectorAll("details"); d.forEach(x => x.open = true); return d.length })()`, &n)
}

// Overflow lists the elements whose right edge passes the window's width
// (content a reader would have to scroll sideways to see), at most ten,
// and the page's total scroll width.
func (p *Page) Overflow() (offenders []string, scrollWidth, viewport int) {
	p.t.Helper()
	var res struct {
		Offenders   []string `json:"offenders"`
		ScrollWidth int      `json:"scrollWidth"`
		Viewport    int      `json:"viewport"`
	}
	p.Eval(`(() => {
		const vw = document.documentElement.clientWidth, out = [];
		for (const el of document.body.querySelectorAll("*")) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && r.right > vw + 1 && out.length < 10) {
				out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.split(" ").join(".") : "") + " right=" + Math.round(r.right));
			}
		}
		return {offenders: out, scrollWidth: document.documentElement.scrollWidth, viewport: vw};
	})()`, &res)
	return res.Offenders, res.ScrollWidth, res.Viewport
}

// PDF prints the page as Chromium's print preview would (A4/Letter default,
// backgrounds on) and returns the document and its number of pages.
func (p *Page) PDF() ([]byte, int) {
	p.t.Helper()
	pdf := p.data("Page.printToPDF", map[string]any{"printBackground": true})
	return pdf, PDFPages(pdf)
}

// PDFPages counts the page objects of a PDF as Chromium writes it.
func PDFPages(pdf []byte) int {
	return bytes.Count(pdf, []byte("/Type /Page")) - bytes.Count(pdf, []byte("/Type /Pages"))
}

// ViewportShot captures what the window shows (the first screen) as PNG.
func (p *Page) ViewportShot() []byte {
	p.t.Helper()
	return p.data("Page.captureScreenshot", map[string]any{"format": "png"})
}

// data calls method and decodes the base64 data of its answer.
func (p *Page) data(method string, params any) []byte {
	p.t.Helper()
	var r struct {
		Data string `json:"data"`
	}
	if err := p.call(method, params, &r); err != nil {
		p.t.Fatal(err)
	}
	b, err := base64.StdEncoding.DecodeString(r.Data)
	if err != nil {
		p.t.Fatalf("%s: %v", method, err)
	}
	return b
}

// Problems returns what the page did that a report must not: console
// errors, exceptions, dialogs, network requests, connections through the
// proxy that the browser itself did not make.
func (p *Page) Problems() []string {
	time.Sleep(200 * time.Millisecond) // let late events arrive
	p.mu.Lock()
	out := slices.Clone(p.issues)
	p.mu.Unlock()
	for _, c := range p.b.proxy.pageConnections() {
		out = append(out, "connection through the proxy: "+c)
	}
	return out
}

// trapProxy accepts and counts every connection the browser tries to make:
// a report that works offline makes none.
type trapProxy struct {
	ln   net.Listener
	mu   sync.Mutex
	seen []string // first request line of each connection
}

func newTrapProxy(t *testing.T) *trapProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &trapProxy{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			buf := make([]byte, 256)
			n, _ := c.Read(buf)
			line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
			p.mu.Lock()
			p.seen = append(p.seen, line)
			p.mu.Unlock()
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return p
}

// browserServices are hosts that Chromium itself contacts (component
// updater and its download redirector, account service, password checks
// when a page has a password form, the GCM check-in that Chromium 148 made
// once under load despite --disable-background-networking) even with the
// flags above; they do not come from the page, whose own requests the
// DevTools network events catch.
var browserServices = []string{"update.googleapis.com", "accounts.google.com", "clients2.google.com",
	"redirector.gvt1.com", "passwordsleakcheck-pa.googleapis.com", "android.clients.google.com"}

// pageConnections returns the connections not made by the browser itself.
func (p *trapProxy) pageConnections() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, line := range p.seen {
		fields := strings.Fields(line)
		host := ""
		if len(fields) > 1 {
			host = strings.TrimPrefix(strings.TrimPrefix(fields[1], "http://"), "https://")
			host, _, _ = strings.Cut(host, "/")
			host, _, _ = strings.Cut(host, ":")
		}
		if !slices.Contains(browserServices, host) {
			out = append(out, line)
		}
	}
	return out
}

// freshProfile is an empty --user-data-dir, removed once Chromium has
// exited (it may still write for a moment after the test).
func freshProfile(t *testing.T) string {
	d, err := os.MkdirTemp("", "spyscan-chromium-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; i < 20; i++ {
			if os.RemoveAll(d) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("could not remove %s", d)
	})
	return d
}
