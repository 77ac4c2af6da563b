package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/report/html/htmltest"
)

// maxDemoPages is the most pages the demo case's report may print to
// (issue 13: the short print version).
const maxDemoPages = 25

// TestDemoReportInChromium opens the report of the whole demo case, in
// English and French, in headless Chromium at 1280 px: no console error
// and no network request, the findings grouped by family with mercenary
// spyware before stalkerware, nothing beyond the window's right edge with
// every section unfolded, and at most 25 pages when printed. With
// SPYSCAN_SCREENSHOTS=dir (an absolute path) it writes the first screen of each as
// dir/report-<lang>.png (docs/report-en.png and docs/report-fr.png are
// made this way).
func TestDemoReportInChromium(t *testing.T) {
	b := htmltest.NewBrowser(t, 1280, 900)
	for _, tc := range []struct{ lang, headline string }{
		{"en", "Traces of Pegasus"},
		{"fr", "Des traces de Pegasus"},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			file := filepath.Join(scanDemo(t, tc.lang), "report.html")
			p := b.Open(t, file, "#verdict-headline")
			var headline, first string
			var families []string
			p.Eval(`document.querySelector("#verdict-headline").innerText`, &headline)
			p.Eval(`[...document.querySelectorAll("#findings details.family")].map(d => d.className)`, &families)
			p.Eval(`document.querySelector("#findings details.family .fname").textContent`, &first)
			shot := p.ViewportShot()
			pdf, pages := p.PDF()
			p.OpenAllDetails()
			offenders, sw, vw := p.Overflow()

			if !strings.HasPrefix(headline, tc.headline) {
				t.Errorf("verdict %q, want it to start with %q", headline, tc.headline)
			}
			if !strings.Contains(first, "Pegasus") {
				t.Errorf("first family %q, want Pegasus", first)
			}
			lastMercenary, firstStalker := -1, len(families)
			for i, c := range families {
				switch {
				case strings.Contains(c, "cat-mercenary"):
					lastMercenary = i
				case strings.Contains(c, "cat-stalkerware") && i < firstStalker:
					firstStalker = i
				}
			}
			if lastMercenary < 0 || firstStalker == len(families) || lastMercenary > firstStalker {
				t.Errorf("families not grouped mercenary spyware first, then stalkerware: %v", families)
			}
			if len(offenders) > 0 || sw > vw {
				t.Errorf("content beyond the right edge at 1280 px (scroll width %d, window %d): %v", sw, vw, offenders)
			}
			if !bytes.HasPrefix(pdf, []byte("%PDF-")) || pages < 1 || pages > maxDemoPages {
				t.Errorf("printed demo report: %d pages, want 1 to %d", pages, maxDemoPages)
			}
			t.Logf("%s: printed to %d pages", tc.lang, pages)
			for _, pr := range p.Problems() {
				t.Errorf("browser: %s", pr)
			}
			if !bytes.HasPrefix(shot, []byte("\x89PNG")) || len(shot) < 10_000 {
				t.Errorf("screenshot is not a PNG of substance (%d bytes)", len(shot))
			}
			if d := os.Getenv("SPYSCAN_SCREENSHOTS"); d != "" {
				if err := os.WriteFile(filepath.Join(d, "report-"+tc.lang+".png"), shot, 0o644); err != nil {
					t.Error(err)
				}
			}
		})
	}
}
