package html

import (
	"bytes"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/golden"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

func render(t *testing.T, r *model.Report, lang string) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, r, lang); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		r    *model.Report
		lang string
	}{
		{"detected.en", reportgen.Detected(), "en"},
		{"detected.fr", reportgen.Detected(), "fr"},
		{"clean.en", reportgen.Clean(), "en"},
		{"clean.fr", reportgen.Clean(), "fr"},
		{"inconclusive.en", reportgen.Inconclusive(), "en"},
		{"inconclusive.fr", reportgen.Inconclusive(), "fr"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := render(t, c.r, c.lang)
			golden.Check(t, filepath.Join("testdata", c.name+".html"), []byte(got))
		})
	}
}

func TestVerdictFirst(t *testing.T) {
	tests := []struct {
		r        *model.Report
		lang     string
		headline string
	}{
		{reportgen.Detected(), "en", "Traces of Pegasus were found"},
		{reportgen.Detected(), "fr", "Des traces de Pegasus ont été trouvées"},
		{reportgen.Clean(), "en", "No known traces were found — this does not prove the device is clean"},
		{reportgen.Clean(), "fr", "Aucune trace connue n’a été trouvée — cela ne prouve pas que l’appareil est sain"},
		{reportgen.Inconclusive(), "en", "The scan was inconclusive — it cannot tell whether the device is clean"},
	}
	for _, tt := range tests {
		out := render(t, tt.r, tt.lang)
		body := out[strings.Index(out, "<body>"):]
		h := regexp.MustCompile(`<h2 id="verdict-headline">([^<]*)</h2>`).FindStringSubmatch(body)
		if h == nil || h[1] != tt.headline {
			t.Errorf("%s/%s: verdict headline = %v, want %q", tt.r.Verdict, tt.lang, h, tt.headline)
		}
		if strings.Index(body, `id="verdict"`) > strings.Index(body, `id="alerts"`) {
			t.Errorf("%s/%s: the verdict is not before the alerts", tt.r.Verdict, tt.lang)
		}
		if strings.Contains(out, "[") && regexp.MustCompile(`\[[a-z_]+\.[a-z_.-]+\]`).MatchString(out) {
			t.Errorf("%s/%s: a message key is missing: %s", tt.r.Verdict, tt.lang, regexp.MustCompile(`\[[a-z_]+\.[a-z_.-]+\]`).FindString(out))
		}
	}
}

// TestUnknownVerdictNeverClean: a report whose verdict field is empty or
// unknown (an old or tampered info.json) reads as inconclusive.
func TestUnknownVerdictNeverClean(t *testing.T) {
	for _, v := range []model.Verdict{"", "clean", "whatever"} {
		r := reportgen.Clean()
		r.Verdict = v
		out := render(t, r, "en")
		if !strings.Contains(out, `data-verdict="inconclusive"`) || strings.Contains(out, "No known traces were found") {
			t.Errorf("verdict %q did not render as inconclusive", v)
		}
	}
}

func TestEscapesEvidence(t *testing.T) {
	for _, lang := range []string{"en", "fr"} {
		out := render(t, reportgen.Detected(), lang)
		for _, bad := range []string{"<script", "<img", `href="javascript:`} {
			if strings.Contains(out, bad) {
				t.Errorf("%s: hostile evidence %q reached the HTML unescaped", lang, bad)
			}
		}
		if m := regexp.MustCompile(`<[a-zA-Z][^>]*\son[a-z]+=`).FindString(out); m != "" {
			t.Errorf("%s: an event handler attribute reached the HTML: %s", lang, m)
		}
		if !strings.Contains(out, "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;") {
			t.Errorf("%s: the hostile text is not shown escaped", lang)
		}
		if strings.Contains(out, "http://") && regexp.MustCompile(`(src|href)="http`).MatchString(out[:strings.Index(out, "<body>")]) {
			t.Errorf("%s: the head loads an external asset", lang)
		}
	}
}

func TestContent(t *testing.T) {
	out := render(t, reportgen.Detected(), "en")
	for _, want := range []string{
		`data-count="3"`, "3 alerts",
		"free247downloads.com", "2021-07-14 09:30:00 UTC", "2021-07-14 11:30:00 CEST (Europe/Paris)", // UTC and device time
		"2021-07-18_nso/pegasus.stix2", "9c7e0a4b1d2f3e4a5b6c7d8e9f00112233445566", // provenance
		`<a href="https://www.amnesty.org/en/latest/research/2021/07/forensic-methodology-report-how-to-catch-nso-groups-pegasus/">`,
		"Access Now Digital Security Helpline", "https://www.accessnow.org/help/",
		"2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", // chain of custody
		"<code>scan --case demo backup</code>",
		"does not apply to ios-backup inputs", "truncated frame", // modules skipped, file errors
		`<svg xmlns="http://www.w3.org/2000/svg"`, `class="mark critical"`, // chart with alerts marked
		"Why it may be benign", "Some system updates also use this folder.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if n := strings.Count(out, `<article class="alert`); n != 3 {
		t.Errorf("%d alert articles, want 3", n)
	}
	if i, j := strings.Index(out, `id="alert-1"`), strings.Index(out, `lv-medium" id="alert-3"`); i < 0 || j < i {
		t.Errorf("alerts are not grouped most severe first")
	}
}

// TestStoredCleanContradicted: a stored "clean" verdict that the self-test
// contradicts (a module read nothing, the canary failed) reads inconclusive.
func TestStoredCleanContradicted(t *testing.T) {
	edits := map[string]func(r *model.Report){
		"module read nothing": func(r *model.Report) { r.Modules[0].Seen, r.Modules[0].Files = 0, nil },
		"canary failed":       func(r *model.Report) { r.Info.SelfTest.CanaryOK = false },
		"input unreadable":    func(r *model.Report) { r.Info.Inputs[0].Error = "bad zip" },
	}
	for name, edit := range edits {
		r := reportgen.Clean()
		edit(r)
		out := render(t, r, "fr")
		if !strings.Contains(out, `data-verdict="inconclusive"`) || strings.Contains(out, "Aucune trace connue n’a été trouvée") {
			t.Errorf("%s: a contradicted clean verdict did not render as inconclusive", name)
		}
	}
}

// TestFrenchHasNoEnglish: no English catalog text (other than words both
// languages share) shows up in a French report.
func TestFrenchHasNoEnglish(t *testing.T) {
	en, fr := i18n.Get("en"), i18n.Get("fr")
	shared := map[string]bool{} // words French uses too ("Module", "Description")
	for _, m := range fr.Messages {
		shared[m.Other] = true
	}
	for _, r := range []*model.Report{reportgen.Detected(), reportgen.Clean(), reportgen.Inconclusive()} {
		out := render(t, r, "fr")
		for key, m := range en.Messages {
			text := m.Other
			if i := strings.IndexByte(text, '{'); i >= 0 {
				text = text[:i] // the fixed part before the first placeholder
			}
			text = strings.TrimSpace(text)
			if len(text) < 5 {
				continue
			}
			// Short words may be the same in both languages; a sentence may not.
			if len(text) <= 15 && (shared[text] || strings.HasPrefix(fr.Messages[key].Other, text)) {
				continue
			}
			if strings.Contains(out, ">"+text) {
				t.Errorf("%s: French report shows English %q (%s)", r.Verdict, text, key)
			}
		}
	}
}

// TestDeviceTimePerInput: in a case of several inputs, each alert's device
// time uses the time zone of its own input; an input without a time zone
// shows UTC only.
func TestDeviceTimePerInput(t *testing.T) {
	r := reportgen.Detected()
	r.Info.Inputs = append(r.Info.Inputs, model.Input{Path: "phone2", Kind: "androidqf", TZ: "America/Sao_Paulo"},
		model.Input{Path: "capture.pcap", Kind: "pcap"})
	r.Alerts[0].Input, r.Alerts[1].Input, r.Alerts[2].Input = "backup", "phone2", "capture.pcap"
	out := render(t, r, "en")
	for _, want := range []string{
		"2021-07-14 11:30:00 CEST (Europe/Paris)",     // alert 1, backup
		"2021-07-14 06:31:30 -03 (America/Sao_Paulo)", // alert 2, phone2
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	a3 := out[strings.Index(out, `id="alert-3"`):]
	a3 = a3[:strings.Index(a3, "</article>")]
	if strings.Contains(a3, "device time") {
		t.Error("an input without a time zone shows a device time")
	}
	if !strings.Contains(out, "<th>Input</th>") {
		t.Error("a multi-input case has no input column in the module table")
	}
}

// TestHiddenCharactersShown: bidi overrides, zero-width characters and
// invalid UTF-8 from evidence appear as visible escapes wherever the
// report shows them (alert text, record, timeline), never raw.
func TestHiddenCharactersShown(t *testing.T) {
	r := reportgen.Detected()
	r.Alerts[0].Message = "file invoice_\u202Efdp.exe from pay\u200Bpal.com \xff"
	r.Alerts[0].Artifact = "Library/\u2066x\u2069"
	r.Timeline = append(r.Timeline.(model.Events), model.Event{Time: r.Info.GeneratedAt, Module: "sms", Event: "sms", Description: "zero\u200Dwidth"})
	out := render(t, r, "en")
	for _, raw := range []string{"\u202E", "\u200B", "\u200D", "\u2066", "\u2069", "\xff"} {
		if strings.Contains(out, raw) {
			t.Errorf("%q reached the HTML raw", raw)
		}
	}
	for _, shown := range []string{`invoice_\u202Efdp.exe`, `pay\u200Bpal.com \xFF`, `zero\u200Dwidth`, `Library/\u2066x\u2069`} {
		if !strings.Contains(out, shown) {
			t.Errorf("%s not shown", shown)
		}
	}
}

// TestFindingsGrouped: the first screen groups indicator hits by family,
// mercenary spyware before stalkerware whatever their counts, then by
// indicator, then by where each was seen, with counts and first/last times;
// heuristic alerts with the same text are one sign.
func TestFindingsGrouped(t *testing.T) {
	r := reportgen.Detected()
	stalker := model.Match{Type: "app-id", Observed: "com.ispyoo", Indicator: "com.ispyoo", How: "exact",
		Sources: []model.Provenance{{Source: "stalkerware-indicators", Family: "TheTruthSpy"}}}
	var extra []model.Alert
	for i := 0; i < 5; i++ { // stalkerware seen more often than Pegasus
		extra = append(extra, model.Alert{Level: model.Critical, Module: "packages", Artifact: "packages.txt", Match: &stalker,
			Time: r.Alerts[0].Time.Add(time.Duration(i) * time.Hour), Input: "phone"})
	}
	again := r.Alerts[0] // the Pegasus domain, seen again in the same place an hour later
	again.Time = again.Time.Add(time.Hour)
	sign := r.Alerts[2] // the same heuristic twice
	r.Alerts = append(append(r.Alerts, again, sign), extra...)
	out := render(t, r, "en")
	fams := regexp.MustCompile(`<strong class="fname">([^<]*)</strong>`).FindAllStringSubmatch(out, -1)
	if len(fams) != 2 || fams[0][1] != "Pegasus" || fams[1][1] != "TheTruthSpy" {
		t.Fatalf("families in order = %v, want Pegasus then TheTruthSpy", fams)
	}
	findings := out[strings.Index(out, `<section id="findings">`):strings.Index(out, `<section id="signs">`)]
	if n := strings.Count(findings, "<code>free247downloads.com</code>"); n != 1 {
		t.Errorf("the Pegasus domain heads %d indicator rows, want 1", n)
	}
	for _, want := range []string{
		"Pegasus</strong> — mercenary spyware (NSO Group) · 2 indicators · seen 3 times",
		"TheTruthSpy</strong> — stalkerware · 1 indicator · seen 5 times",
		"seen as <code>x.free247downloads.com</code>",
		// one place, twice, first and last time
		"<td>2</td><td>2021-07-14 09:30:00 UTC</td><td>2021-07-14 10:30:00 UTC</td>",
		"<td>5</td><td>2021-07-14 09:30:00 UTC</td><td>2021-07-14 13:30:00 UTC</td>",
	} {
		if !strings.Contains(findings, want) {
			t.Errorf("findings lack %q", want)
		}
	}
	summary := out[strings.Index(out, `id="family-summary"`):]
	summary = summary[:strings.Index(summary, "</table>")]
	if !strings.Contains(summary, `href="#family-1">Pegasus</a>`) || !strings.Contains(summary, `href="#family-2">TheTruthSpy</a>`) {
		t.Errorf("the verdict's family table does not link both families in order:\n%s", summary)
	}
	if !strings.Contains(out, "2 other suspicious signs (1 kind)") || !strings.Contains(out, `<span class="muted">(×2)</span>`) {
		t.Error("the repeated heuristic is not one sign seen twice")
	}
}

// TestIdentityAndIndicatorDate: the top names each input's device, system,
// acquisition date and encryption, and the date of the indicators used;
// indicators older than 90 days at scan time are called out, and a clean
// verdict says which indicators it holds for.
func TestIdentityAndIndicatorDate(t *testing.T) {
	r := reportgen.Clean()
	r.Info.Inputs[0].Meta = map[string]string{"product_type": "iPhone13,2", "ios_version": "16.6",
		"backup_date": "2023-09-12T14:30:00Z", "encrypted": "false"}
	fresh := render(t, r, "en")
	for _, want := range []string{"Model: iPhone13,2", "iOS version: 16.6", "Backup date: 2023-09-12 14:30 UTC",
		"Encrypted: no", `data-date="2026-10-30"`, "10,432 indicators checked, the newest dated 2026-10-30",
		"This holds for the indicators published up to 2026-10-30."} {
		if !strings.Contains(fresh, want) {
			t.Errorf("report lacks %q", want)
		}
	}
	if strings.Contains(fresh, `id="stale"`) {
		t.Error("indicators 24 days old called stale")
	}
	r.Info.GeneratedAt = time.Date(2027, 3, 1, 0, 0, 0, 0, time.UTC)
	if out := render(t, r, "fr"); !strings.Contains(out, `id="stale"`) || !strings.Contains(out, "Ces indicateurs datent de 122 jours") ||
		!strings.Contains(out, "Chiffrée\u00a0: non") {
		t.Error("indicators 122 days old not called stale in French, or the encryption not shown")
	}
}

// TestIndicatorCountsExplained: when the sources list more indicators than
// the distinct values checked (the count `iocs list` and the report give),
// the chain of custody says why.
func TestIndicatorCountsExplained(t *testing.T) {
	r := reportgen.Clean()
	if out := render(t, r, "en"); strings.Contains(out, `id="distinct"`) {
		t.Error("counts that agree are explained")
	}
	r.Info.IndicatorCount = 10000
	out := render(t, r, "en")
	if !strings.Contains(out, "The sources list 10,432 indicators; 10,000 distinct values were checked: the others repeat a value") {
		t.Error("the difference of 432 is not explained")
	}
	if out := render(t, r, "fr"); !strings.Contains(out, "Les sources listent 10\u202f432 indicateurs ; 10\u202f000 valeurs distinctes ont été vérifiées") {
		t.Error("the difference is not explained in French")
	}
}

// TestCopyTimesOutOfTheChart: an event dated by the modification time of a
// file of a folder acquisition on the computer (when it was copied) does
// not stretch the chart to that day; it is listed, marked.
func TestCopyTimesOutOfTheChart(t *testing.T) {
	r := reportgen.Detected()
	copiedAt := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	r.Info.Inputs[0].Files = append(r.Info.Inputs[0].Files, model.InputFile{Path: "logs/logcat.txt", ModTime: copiedAt.Add(300 * time.Millisecond)})
	r.Timeline = append(r.Timeline.(model.Events), model.Event{Time: copiedAt, Module: "aqf_log_timestamps", Event: "M---", Artifact: "logs/logcat.txt"})
	out := render(t, r, "en")
	if !strings.Contains(out, "From 2021-07-11 09:30 UTC to 2021-07-15 11:30 UTC.") {
		t.Error("the chart's range includes the copy time")
	}
	if !strings.Contains(out, `id="copied">1 event is dated by the modification time of a file of the acquisition`) ||
		!strings.Contains(out, `<span class="kind copied">copy time</span>`) {
		t.Error("the event dated by the copy is not said and marked")
	}
}

// TestUnreadInputNamed: an input that was not opened (an entry of a folder
// of acquisitions that is not one, say) says so where the report lists
// what was scanned, not an empty kind.
func TestUnreadInputNamed(t *testing.T) {
	r := reportgen.Detected()
	r.Info.Inputs = append(r.Info.Inputs, model.Input{Path: "case/notes.md", ErrorKind: model.KindUnsupported,
		Error: "unsupported or unrecognised input: case/notes.md (looks like a text file (.md) of an unknown format)"})
	for lang, want := range map[string]string{"en": "not read (see why under the verdict)", "fr": "non lu (la raison est sous le verdict)"} {
		out := render(t, r, lang)
		i := strings.Index(out, `title="case/notes.md"`)
		if i < 0 {
			t.Fatalf("%s: the unread input is not listed", lang)
		}
		li := out[strings.LastIndex(out[:i], "<li>"):]
		li = li[:strings.Index(li, "</li>")]
		if !strings.Contains(li, want) {
			t.Errorf("%s: %q lacks %q", lang, li, want)
		}
	}
}
