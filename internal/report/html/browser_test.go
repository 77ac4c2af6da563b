package html

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/report/html/htmltest"
	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

// TestInChromium opens the report as a person would, in headless Chromium
// at 1280 px: no console error, no network request, the verdict, the alert
// count, the findings grouped by family and a known alert in the DOM, no
// content beyond the window's right edge (all sections unfolded), a
// screenshot, and a short PDF when printed. The demo case is checked the
// same way by internal/cli's TestDemoReportInChromium. Then the clean
// reports, in the same browser (each Chromium started costs about 1 CPU-s,
// most of it in Chromium's own processes): see cleanPrintsShort.
func TestInChromium(t *testing.T) {
	b := htmltest.NewBrowser(t, 1280, 900)
	for _, tc := range []struct{ lang, headline string }{
		{"en", "Traces of Pegasus were found"},
		{"fr", "Des traces de Pegasus ont été trouvées"},
	} {
		t.Run(tc.lang, func(t *testing.T) { browse(t, b, tc.lang, tc.headline) })
	}
	t.Run("CleanPrintsShort", func(t *testing.T) { cleanPrintsShort(t, b) })
}

func browse(t *testing.T, b *htmltest.Browser, lang, headline string) {
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	if err := Render(&buf, reportgen.Detected(), lang); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	p := b.Open(t, file, "#verdict-headline")

	var verdict, count, family, known string
	var nAlerts, scripts int
	var sighted, folded bool
	p.Eval(`document.querySelector("#verdict-headline").innerText`, &verdict)
	p.Eval(`document.querySelector("#alert-count").dataset.count`, &count)
	p.Eval(`document.querySelector("#findings details.family .fname").textContent`, &family)
	p.Eval(`!document.querySelector("details.all-alerts").open`, &folded)
	p.Eval(`document.querySelector("#alert-1 h4").textContent`, &known)
	p.Eval(`document.querySelectorAll("article.alert").length`, &nAlerts)
	p.Eval(`document.scripts.length`, &scripts)
	p.Eval(`!!document.querySelector("svg.chart circle.mark.critical")`, &sighted)
	shot := p.ViewportShot()
	pdf, pages := p.PDF()
	p.OpenAllDetails()
	offenders, sw, vw := p.Overflow()

	if verdict != headline {
		t.Errorf("verdict in the DOM = %q, want %q", verdict, headline)
	}
	if count != "3" || nAlerts != 3 {
		t.Errorf("alert count %q, %d alert elements; want 3", count, nAlerts)
	}
	if family != "Pegasus" {
		t.Errorf("first family of the findings = %q, want Pegasus", family)
	}
	if !folded {
		t.Error("the alert-by-alert list is not folded")
	}
	if !strings.Contains(known, "free247downloads.com") || !strings.Contains(known, `<script>alert("pwned")</script>`) {
		t.Errorf("first alert = %q; want the Pegasus domain, with the hostile text shown as text", known)
	}
	if scripts != 0 {
		t.Errorf("%d script elements in the DOM; the report has none and evidence must not add any", scripts)
	}
	if !sighted {
		t.Error("the timeline chart has no critical alert mark")
	}
	if len(offenders) > 0 || sw > vw {
		t.Errorf("content beyond the right edge at 1280 px (scroll width %d, window %d): %v", sw, vw, offenders)
	}
	for _, pr := range p.Problems() {
		t.Errorf("browser: %s", pr)
	}
	if !bytes.HasPrefix(shot, []byte("\x89PNG")) || len(shot) < 10_000 {
		t.Errorf("screenshot is not a PNG of substance (%d bytes)", len(shot))
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) || len(pdf) < 10_000 || pages < 1 || pages > 5 {
		t.Errorf("PDF: %d bytes, %d pages; want a short document (1 to 5 pages)", len(pdf), pages)
	}
	if d := os.Getenv("SPYSCAN_ARTIFACTS"); d != "" {
		for name, data := range map[string][]byte{"report-" + lang + ".png": shot, "report-" + lang + ".pdf": pdf, "report-" + lang + ".html": buf.Bytes()} {
			if err := os.WriteFile(filepath.Join(d, name), data, 0o644); err != nil {
				t.Error(err)
			}
		}
	}
}

// cleanPrintsShort: a clean case, and a clean but incomplete one, print
// to at most 5 pages (issue 13), in English and French (run by
// TestInChromium, in its browser: -run TestInChromium/CleanPrintsShort).
func cleanPrintsShort(t *testing.T, b *htmltest.Browser) {
	for name, r := range map[string]func() *model.Report{"clean": reportgen.Clean, "inconclusive": reportgen.Inconclusive} {
		for _, lang := range []string{"en", "fr"} {
			t.Run(name+"."+lang, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Render(&buf, r(), lang); err != nil {
					t.Fatal(err)
				}
				file := filepath.Join(t.TempDir(), "report.html")
				if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				p := b.Open(t, file, "#verdict-headline")
				pdf, pages := p.PDF()
				if !bytes.HasPrefix(pdf, []byte("%PDF-")) || pages < 1 || pages > 5 {
					t.Errorf("printed to %d pages, want 1 to 5", pages)
				}
				for _, pr := range p.Problems() {
					t.Errorf("browser: %s", pr)
				}
			})
		}
	}
}
