package html

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

	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

// chromiumPath finds Debian's chromium (or $SPYSCAN_CHROMIUM). Without it
// the browser test is skipped, except in CI (CI=true) where it must run.
func chromiumPath(t *testing.T) string {
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

// trapProxy accepts and counts every connection the browser tries to make:
// a report that works offline makes none.
type trapProxy struct {
	ln    net.Listener
	mu    sync.Mutex
	conns int
	seen  []string // first request line of each connection
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
			p.conns++
			p.seen = append(p.seen, line)
			p.mu.Unlock()
			c.Close()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return p
}

// browserServices are hosts that Chromium itself contacts (component
// updater, account service) even with the flags below; they do not come
// from the page, whose own requests the DevTools network events catch.
var browserServices = []string{"update.googleapis.com", "accounts.google.com", "clients2.google.com"}

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

type browserEvents struct {
	mu       sync.Mutex
	problems []string
	requests []string
}

func (e *browserEvents) add(list *[]string, s string) {
	e.mu.Lock()
	*list = append(*list, s)
	e.mu.Unlock()
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

// TestInChromium opens the report as a person would, in headless Chromium:
// no console error, no network request, the verdict, the alert count and a
// known alert in the DOM, a screenshot, and a non-empty PDF when printed.
func TestInChromium(t *testing.T) {
	exe := chromiumPath(t)
	proxy := newTrapProxy(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Flag("headless", true), chromedp.Flag("no-sandbox", true), chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		// Quiet the browser's own background traffic, so that the trap
		// proxy sees only what the page would fetch.
		chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-client-side-phishing-detection", true), chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("no-pings", true), chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true), chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-features", "OptimizationHints,MediaRouter,Translate,AutofillServerCommunication,CertificateTransparencyComponentUpdater,NetworkTimeServiceQuerying,SigninInterception"),
		chromedp.Flag("proxy-server", "http://"+proxy.ln.Addr().String()),
		chromedp.Flag("proxy-bypass-list", "<-loopback>"),
		chromedp.UserDataDir(freshProfile(t)),
		chromedp.WindowSize(1200, 900),
	}
	// One browser, one tab per language: starting Chromium is the slow part.
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	bctx, cancelT := context.WithTimeout(bctx, 90*time.Second)
	defer cancelT()
	if err := chromedp.Run(bctx); err != nil { // start the browser
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, headline string }{
		{"en", "Traces of Pegasus were found"},
		{"fr", "Des traces de Pegasus ont été trouvées"},
	} {
		t.Run(tc.lang, func(t *testing.T) { browse(t, bctx, proxy, tc.lang, tc.headline) })
	}
}

func browse(t *testing.T, bctx context.Context, proxy *trapProxy, lang, headline string) {
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	var b bytes.Buffer
	if err := Render(&b, reportgen.Detected(), lang); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := chromedp.NewContext(bctx) // a new tab
	defer cancel()

	ev := &browserEvents{}
	url := "file://" + file
	chromedp.ListenTarget(ctx, func(e any) {
		switch e := e.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError || e.Type == runtime.APITypeWarning || e.Type == runtime.APITypeAssert {
				ev.add(&ev.problems, fmt.Sprintf("console %s: %v", e.Type, e.Args))
			}
		case *runtime.EventExceptionThrown:
			ev.add(&ev.problems, "exception: "+e.ExceptionDetails.Text)
		case *log.EventEntryAdded:
			if e.Entry.Level == log.LevelError || e.Entry.Level == log.LevelWarning {
				ev.add(&ev.problems, fmt.Sprintf("log %s: %s %s", e.Entry.Level, e.Entry.Text, e.Entry.URL))
			}
		case *page.EventJavascriptDialogOpening:
			ev.add(&ev.problems, "a dialog opened: "+e.Message)
		case *network.EventRequestWillBeSent:
			if e.Request.URL != url {
				ev.add(&ev.requests, e.Request.URL)
			}
		}
	})

	var verdict, count, known, scripts, sighted string
	var nAlerts int
	var shot []byte
	err := chromedp.Run(ctx,
		network.Enable(), log.Enable(), runtime.Enable(),
		chromedp.Navigate(url),
		chromedp.WaitVisible("#verdict-headline", chromedp.ByID),
		chromedp.Text("#verdict-headline", &verdict, chromedp.ByID),
		chromedp.AttributeValue("#alert-count", "data-count", &count, nil, chromedp.ByID),
		chromedp.Text("#alert-1 h4", &known, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("article.alert").length`, &nAlerts),
		chromedp.Evaluate(`String(document.scripts.length)`, &scripts),
		chromedp.Evaluate(`document.querySelector("svg.chart circle.mark.critical") ? "yes" : "no"`, &sighted),
		chromedp.FullScreenshot(&shot, 100),
	)
	if err != nil {
		t.Fatal(err)
	}
	var pdf []byte
	if err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		var err error
		pdf, _, err = page.PrintToPDF().WithPrintBackground(true).Do(cdp.WithExecutor(ctx, chromedp.FromContext(ctx).Target))
		return err
	})); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // let late events arrive

	if verdict != headline {
		t.Errorf("verdict in the DOM = %q, want %q", verdict, headline)
	}
	if count != "3" || nAlerts != 3 {
		t.Errorf("alert count %q, %d alert elements; want 3", count, nAlerts)
	}
	if !strings.Contains(known, "free247downloads.com") || !strings.Contains(known, `<script>alert("pwned")</script>`) {
		t.Errorf("first alert = %q; want the Pegasus domain, with the hostile text shown as text", known)
	}
	if scripts != "0" {
		t.Errorf("%s script elements in the DOM; the report has none and evidence must not add any", scripts)
	}
	if sighted != "yes" {
		t.Error("the timeline chart has no critical alert mark")
	}
	ev.mu.Lock()
	for _, p := range ev.problems {
		t.Errorf("browser: %s", p)
	}
	for _, r := range ev.requests {
		t.Errorf("network request: %s", r)
	}
	ev.mu.Unlock()
	if conns := proxy.pageConnections(); len(conns) > 0 {
		t.Errorf("the page opened %d connections through the trap proxy: %q", len(conns), conns)
	}
	if !bytes.HasPrefix(shot, []byte("\x89PNG")) || len(shot) < 10_000 {
		t.Errorf("screenshot is not a PNG of substance (%d bytes)", len(shot))
	}
	// The detected report runs over several A4/Letter pages.
	pages := bytes.Count(pdf, []byte("/Type /Page")) - bytes.Count(pdf, []byte("/Type /Pages"))
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10_000 || pages < 2 {
		t.Errorf("PDF: %d bytes, %d pages; want a document of several pages", len(pdf), pages)
	}
	if d := os.Getenv("SPYSCAN_ARTIFACTS"); d != "" {
		for name, data := range map[string][]byte{"report-" + lang + ".png": shot, "report-" + lang + ".pdf": pdf, "report-" + lang + ".html": b.Bytes()} {
			if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
				t.Error(err)
			}
		}
	}
}
