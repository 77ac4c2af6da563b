package cli

import (
	"bytes"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

// TestEnding: after the module table, at most five lines: the verdict in
// plain words, the families found by kind of threat, the cause of what
// could not be read, the indicators' age when stale, the full path of
// report.html, and what the exit code means; in the report's language.
func TestEnding(t *testing.T) {
	r := reportgen.Detected() // indicators of 2026-10-30, one module with a damaged file
	stalker := model.Match{Type: "app-id", Observed: "com.x", Indicator: "com.x",
		Sources: []model.Provenance{{Source: "stalkerware-indicators", Family: "TheTruthSpy"}}}
	r.Alerts = append(r.Alerts, model.Alert{Level: model.Critical, Match: &stalker})
	fresh := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	lines := ending(r, "out", model.High, true, "en", fresh)
	abs, _ := filepath.Abs(filepath.Join("out", "report.html"))
	want := []string{
		"verdict: detected — Traces of known spyware were found (4 alerts: 3 critical, 0 high, 1 medium, 0 low, 0 information).",
		"Mercenary spyware: Pegasus (NSO Group). Stalkerware: TheTruthSpy.",
		"1 file of backup is damaged (corrupt or truncated).",
		"Report: " + abs + " — it and its folder hold personal data",
		"Exit code 1: traces at or above --fail-level high were found.",
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("line %d\n got %q\nwant %q...", i+1, lines[i], w)
		}
	}
	// Four months later the indicators are stale: still five lines at most.
	late := ending(r, "out", model.Critical, true, "fr", fresh.AddDate(0, 4, 0))
	all := strings.Join(late, "\n")
	if len(late) > maxEndingLines || !strings.Contains(all, "Les indicateurs datent de 144 jours") ||
		!strings.HasPrefix(late[0], "verdict: detected — Des traces") || !strings.Contains(all, "Code de sortie 1") {
		t.Errorf("stale, in French, %d lines:\n%s", len(late), all)
	}
	clean := ending(reportgen.Clean(), "out", model.High, true, "en", fresh)
	if !strings.Contains(strings.Join(clean, "\n"), "10,432 indicators checked (the newest dated 2026-10-30), without a match") ||
		!strings.HasPrefix(clean[len(clean)-1], "Exit code 0: nothing at or above --fail-level high.") {
		t.Errorf("clean:\n%s", strings.Join(clean, "\n"))
	}
	inc := ending(reportgen.Inconclusive(), "out", model.High, true, "en", fresh)
	if !strings.HasPrefix(inc[len(inc)-1], "Exit code 3: ") {
		t.Errorf("inconclusive:\n%s", strings.Join(inc, "\n"))
	}
}

// TestPlainLogs: at the default level a log record is one sentence, the
// path once; -v gives key=value records and --log-format json JSON.
func TestPlainLogs(t *testing.T) {
	var b bytes.Buffer
	l, err := newLogger(&b, "", false)
	if err != nil {
		t.Fatal(err)
	}
	l = l.With("module", "sms", "input", "/cases/backup")
	l.Warn("could not read a file", "path", "HomeDomain/Library/SMS/sms.db", "kind", "damaged",
		"err", "HomeDomain/Library/SMS/sms.db: database disk image is malformed (11)")
	l.Warn("a file is missing", "path", "a.plist", "err", "absent")
	l.Debug("not shown")
	want := "spyscan: warning: sms: could not read a file: HomeDomain/Library/SMS/sms.db: database disk image is malformed (11)\n" +
		"spyscan: warning: sms: a file is missing: a.plist: absent\n"
	if b.String() != want {
		t.Errorf("plain logs\n got %q\nwant %q", b.String(), want)
	}
	b.Reset()
	l, _ = newLogger(&b, "", true)
	l.Debug("module done", "status", "ok")
	if !strings.Contains(b.String(), "level=DEBUG") || !strings.Contains(b.String(), "status=ok") {
		t.Errorf("-v: %q", b.String())
	}
	b.Reset()
	l, _ = newLogger(&b, "json", false)
	l.Warn("x", "path", "p")
	if !strings.HasPrefix(b.String(), `{"time":`) || !strings.Contains(b.String(), `"path":"p"`) {
		t.Errorf("json: %q", b.String())
	}
	if _, err := newLogger(&b, "xml", false); err == nil {
		t.Error("--log-format xml accepted")
	}
	var _ slog.Handler = &plainHandler{}
}
