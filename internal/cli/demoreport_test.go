package cli

import (
	"html"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/output"
)

// scanDemo scans the whole demo case (iOS backup, Android bugreport,
// androidqf, backup.ab, capture, Zeek logs) in lang and returns the result
// folder.
func scanDemo(t *testing.T, lang string) string {
	t.Helper()
	isolate(t)
	out := filepath.Join(t.TempDir(), "out")
	args := append([]string{"scan", "--case", "demo", "--lang", lang, "--quiet", "--output", out}, demoInputs(t)...)
	if code, stdout, stderr := run(t, args...); code != ExitAlerts {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	return out
}

var (
	styleOrScript = regexp.MustCompile(`(?s)<(style|script)\b.*?</(style|script)>`)
	// Records as read in the artifact (JSON, their field names included)
	// and timeline event types (identifiers, the same as MVT's timeline)
	// are evidence and machine names, not text to translate.
	recordOrEventType = regexp.MustCompile(`(?s)<pre class="record">.*?</pre>|<span class="ev">[^<]*</span>`)
	tag               = regexp.MustCompile(`<[^>]*>`)
	placeholder       = regexp.MustCompile(`\{[a-z_]+\}`)
	// englishWords are function words no French sentence uses.
	englishWords = regexp.MustCompile(`\b(the|with|from|which|this|that|was|were|is|are|has|have|not|by|of|and|to)\b`)
)

// visibleText returns the text a reader of the page sees that is the
// report's own: the text of every element (SVG titles, which show on hover,
// included), entities decoded, records and event types left out.
func visibleText(page string) string {
	page = styleOrScript.ReplaceAllString(page, " ")
	page = recordOrEventType.ReplaceAllString(page, " ")
	return html.UnescapeString(tag.ReplaceAllString(page, "\n"))
}

// fragments returns the fixed parts of every form of a catalog message
// that read as a sentence (two words or more): the text around its
// placeholders.
func fragments(m i18n.Message) []string {
	var out []string
	for _, form := range []string{m.One, m.Few, m.Many, m.Other} {
		for _, f := range placeholder.Split(form, -1) {
			f = strings.Trim(f, " ,.:;()[]\"'«»“”‘’—-–/")
			if len(f) >= 8 && strings.Contains(f, " ") {
				out = append(out, f)
			}
		}
	}
	return out
}

// TestDemoFrenchHasNoEnglish renders the whole demo case (the three demos:
// iOS, Android, network) in French and fails when any sentence of the
// English catalog, or any module message in English, is visible. Values
// read from the evidence (a message's literal arguments: an SMS text, a
// file name, a domain) are the same in every language and are set aside.
func TestDemoFrenchHasNoEnglish(t *testing.T) {
	dir := scanDemo(t, "fr")
	b, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `<html lang="fr"`) {
		t.Fatal("report.html is not the French report")
	}
	r, _, err := output.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	en, fr := i18n.Get("en"), i18n.Get("fr")

	// Every module message is a catalog message, and where its French
	// rendering differs from its English one, the English one is not shown.
	var evidence, rendered []string
	var msgs []i18n.Msg
	check := func(where, text string, m i18n.Msg) {
		if text == "" {
			return
		}
		if m.IsZero() {
			t.Errorf("%s is English, not a catalog message: %q", where, text)
			return
		}
		msgs = append(msgs, m)
		evidence = append(evidence, m.Literals()...)
		if e, f := en.Render(m), fr.Render(m); e != f {
			rendered = append(rendered, e)
		}
	}
	for _, a := range r.Alerts {
		where := a.Module + " alert " + a.Message
		check(where+": title", a.Message, a.MessageMsg)
		check(where+": why suspicious", a.Reason, a.ReasonMsg)
		check(where+": why benign", a.Benign, a.BenignMsg)
	}
	for _, m := range r.Modules {
		check(m.Module+": status reason", m.Reason, m.ReasonMsg)
		for i, note := range m.Notes {
			var msg i18n.Msg
			if len(m.NotesMsg) == len(m.Notes) {
				msg = m.NotesMsg[i]
			}
			check(m.Module+": note", note, msg)
		}
	}
	events := 0
	r.EachEvent(func(e *model.Event) error {
		events++
		if e.DescriptionMsg.IsZero() {
			// A description that is not a message must be a value from
			// the evidence (a path, a process name), not a sentence.
			if w := englishWords.FindAllString(e.Description, -1); len(w) >= 2 {
				t.Errorf("%s timeline event %q: English description %q, not a catalog message", e.Module, e.Event, e.Description)
			}
			evidence = append(evidence, e.Description)
			return nil
		}
		check(e.Module+" timeline event "+e.Event, e.Description, e.DescriptionMsg)
		return nil
	})
	if len(r.Alerts) < 100 || events < 100 || len(msgs) < 200 {
		t.Fatalf("the demo case gave %d alerts, %d events, %d messages: not the demo", len(r.Alerts), events, len(msgs))
	}

	text := visibleText(string(b))
	for _, e := range rendered {
		if strings.Contains(text, e) {
			t.Errorf("French report shows the English rendering %q", e)
		}
	}

	// Set the evidence aside (longest first, so a value inside another
	// goes with it), then look for every sentence of the English catalog
	// that French does not share.
	sort.Slice(evidence, func(i, j int) bool { return len(evidence[i]) > len(evidence[j]) })
	var pairs []string
	for _, v := range evidence {
		if len(v) >= 4 {
			pairs = append(pairs, v, "\x00")
		}
	}
	text = strings.NewReplacer(pairs...).Replace(text)
	shared := map[string]bool{}
	for _, m := range fr.Messages {
		for _, f := range fragments(m) {
			shared[f] = true
		}
	}
	keys := make([]string, 0, len(en.Messages))
	for k := range en.Messages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	found := 0
	for _, k := range keys {
		for _, f := range fragments(en.Messages[k]) {
			if shared[f] || !wholeWords(text, f) {
				continue
			}
			if found++; found <= 40 {
				t.Errorf("French report shows English %q (%s)", f, k)
			}
		}
	}
	if found > 40 {
		t.Errorf("... and %d more English sentences", found-40)
	}
}

// wholeWords reports whether f occurs in text not as part of a longer word.
func wholeWords(text, f string) bool {
	for i := 0; ; {
		j := strings.Index(text[i:], f)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isWordByte(text[j-1])
		after := j+len(f) == len(text) || !isWordByte(text[j+len(f)])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}
