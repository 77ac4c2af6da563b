// Package htmltest opens spyscan's HTML reports in headless Chromium for
// tests, as a person would: it records console errors and every network
// request or connection the page attempts (a report must make none), and
// measures what a reader sees: text, horizontal overflow at a window width,
// the number of pages when printed, a screenshot. Debian's chromium is used
// (apt-get install chromium; $SPYSCAN_CHROMIUM for another path); without it
// the tests skip, except in CI (CI=true), where they fail.
package htmltest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
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
	opts := []chromedp.ExecAllocatorOption{
		chromedp.Env("TMPDIR=" + tmp),
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("hide-scrollbars", true),
		// Quiet the browser's own background traffic, so that the trap
		// proxy sees only what the page would fetch.
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-client-side-phishing-detection", true), chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true), chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true), chromedp.Flag("disable-breakpad", true),
		// Chromium 148 (Debian 12, 2026-12) also preconnects to its search
		// engine (PreconnectToSearch) and asks www.google.com/async/folae
		// whether its AI mode applies (Aim*), whatever the page: seen in a
		// net-log (--log-net-log) of a blank page, gone with these.
		chromedp.Flag("disable-features", "OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,PasswordLeakDetection,CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying,SigninInterception,PreconnectToSearch,AimEnabled,AimServerEligibilityEnabled,AimServerRequestOnStartupEnabled"),
		chromedp.Flag("proxy-server", "http://"+proxy.ln.Addr().String()),
		chromedp.Flag("proxy-bypass-list", bypass),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(width, height),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	bctx, cancelT := context.WithTimeout(bctx, d)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	if err := chromedp.Run(bctx); err != nil { // start the browser
		t.Fatal(err)
	}
	return &Browser{ctx: bctx, proxy: proxy}
}

// Page is one report opened in a tab.
type Page struct {
	t      *testing.T
	ctx    context.Context
	b      *Browser
	mu     sync.Mutex
	issues []string // console errors, exceptions, dialogs, requests
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
	ctx, cancel := chromedp.NewContext(b.ctx)
	t.Cleanup(cancel)
	p := &Page{t: t, ctx: ctx, b: b}
	chromedp.ListenTarget(ctx, func(e any) {
		switch e := e.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError || e.Type == runtime.APITypeWarning || e.Type == runtime.APITypeAssert {
				p.add(fmt.Sprintf("console %s: %v", e.Type, e.Args))
			}
		case *runtime.EventExceptionThrown:
			p.add("exception: " + e.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.LevelError || e.Entry.Level == log.LevelWarning {
				p.add(fmt.Sprintf("log %s: %s %s", e.Entry.Level, e.Entry.Text, e.Entry.URL))
			}
		case *page.EventJavascriptDialogOpening:
			p.add("a dialog opened: " + e.Message)
		case *network.EventRequestWillBeSent:
			if !own(e.Request.URL) {
				p.add("network request: " + e.Request.URL)
			}
		}
	})
	if err := chromedp.Run(ctx, network.Enable(), log.Enable(), runtime.Enable(),
		chromedp.Navigate(url), chromedp.WaitVisible(sel, chromedp.ByQuery)); err != nil {
		t.Fatalf("opening %s: %v", url, err)
	}
	return p
}

// Context is the tab's chromedp context, for actions that need a deadline
// of their own.
func (p *Page) Context() context.Context { return p.ctx }

func (p *Page) add(s string) {
	p.mu.Lock()
	p.issues = append(p.issues, s)
	p.mu.Unlock()
}

// Run runs chromedp actions in the page's tab.
func (p *Page) Run(actions ...chromedp.Action) {
	p.t.Helper()
	if err := chromedp.Run(p.ctx, actions...); err != nil {
		p.t.Fatal(err)
	}
}

// TryRun is Run that returns the error instead of failing the test, for
// a step the caller may retry.
func (p *Page) TryRun(actions ...chromedp.Action) error {
	return chromedp.Run(p.ctx, actions...)
}

// Eval evaluates a JavaScript expression into out (the page itself has no
// script; this is the test reading the DOM).
func (p *Page) Eval(js string, out any) {
	p.t.Helper()
	p.Run(chromedp.Evaluate(js, out))
}

// TryEval is Eval that returns the error instead of failing the test: a
// page that reloads itself can lose its context between two reads.
func (p *Page) TryEval(js string, out any) error {
	return chromedp.Run(p.ctx, chromedp.Evaluate(js, out))
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
	var pdf []byte
	p.Run(chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		pdf, _, err = page.PrintToPDF().WithPrintBackground(true).Do(cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Target))
		return err
	}))
	return pdf, PDFPages(pdf)
}

// PDFPages counts the page objects of a PDF as Chromium writes it.
func PDFPages(pdf []byte) int {
	return bytes.Count(pdf, []byte("/Type /Page")) - bytes.Count(pdf, []byte("/Type /Pages"))
}

// ViewportShot captures what the window shows (the first screen) as PNG.
func (p *Page) ViewportShot() []byte {
	p.t.Helper()
	var shot []byte
	p.Run(chromedp.CaptureScreenshot(&shot))
	return shot
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
// when a page has a password form) even with the flags above; they do not
// come from the page, whose own requests the DevTools network events catch.
var browserServices = []string{"update.googleapis.com", "accounts.google.com", "clients2.google.com",
	"redirector.gvt1.com", "passwordsleakcheck-pa.googleapis.com"}

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
