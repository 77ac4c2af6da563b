package output

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/spyscan/spyscan/internal/golden"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

func fixture() (*model.Report, ObservableList) {
	t0 := time.Date(2021, 7, 18, 10, 11, 12, 345678000, time.UTC)
	lvl := model.Critical
	r := &model.Report{
		Verdict: model.VerdictDetected,
		Info: model.ScanInfo{Tool: "spyscan", Version: "test", CommandLine: []string{"scan", "x"},
			GeneratedAt: t0, IndicatorDigest: "abc", IndicatorCount: 1, ModuleVersions: map[string]int{"sms": 1},
			Inputs:   []model.Input{{Path: "x", Kind: "ios-backup", Files: []model.InputFile{{Path: "Manifest.db", Size: 3, SHA256: "00"}}}},
			SelfTest: model.SelfTest{CanaryOK: true}},
		Alerts: []model.Alert{{Level: model.Critical, Module: "sms", Message: `SMS URL "https://x.evil.com" matches`, Time: t0, Artifact: "HomeDomain/Library/SMS/sms.db",
			Record: json.RawMessage(`{"rowid":1}`), Match: &model.Match{Type: "domain", Observed: "https://x.evil.com", Indicator: "evil.com", How: "subdomain",
				Sources: []model.Provenance{{Source: "amnesty-investigations", File: "pegasus.stix2", Family: "Pegasus"}}}}},
		Timeline: model.Events{
			{Time: t0, Module: "sms", Event: "sms_received", Description: "from +1, \"quoted\", comma <b>"},
			{Time: t0.Add(time.Second), Module: "safari", Event: "visit", Description: "https://example.org/", Level: &lvl},
		},
		Modules: []model.ModuleResult{{Module: "sms", Status: model.StatusOK, Seen: 2}},
	}
	obs := ObservableList{
		{Module: "safari", Observable: module.Observable{Type: match.URL, Value: "https://x.evil.com", Artifact: "History.db", FirstSeen: t0.Add(time.Hour), Count: 2}},
		{Module: "sms", Observable: module.Observable{Type: match.URL, Value: "https://x.evil.com", Artifact: "HomeDomain/Library/SMS/sms.db", What: "SMS URL", FirstSeen: t0, Count: 1}},
	}
	return r, obs
}

// writeFixture writes the fixture's folder, with two sms records.
func writeFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	r, obs := fixture()
	if err := Write(dir, r, obs); err != nil {
		t.Fatal(err)
	}
	mw, err := NewModuleWriter(dir, 0, "sms", 1)
	if err != nil {
		t.Fatal(err)
	}
	mw.Record(json.RawMessage(`{"rowid":1,"text":"hi"}`))
	mw.Record(json.RawMessage(`{"rowid":2,"text":"there"}`))
	if err := mw.Finish(r.Modules[0]); err != nil {
		t.Fatal(err)
	}
	return dir
}

// readPlain reads a result file, decompressed when it is gzip.
func readPlain(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(p, ".gz") {
		z, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if b, err = io.ReadAll(z); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	return b
}

func TestGolden(t *testing.T) {
	dir := writeFixture(t)
	for _, name := range []string{InfoFile, AlertsFile, TimelineCSV, TimelineJSON, ObservablesFile,
		filepath.Join(ModuleDir(0), "sms.json"), filepath.Join(ModuleDir(0), "sms"+recordsSuffix)} {
		got := readPlain(t, filepath.Join(dir, name))
		golden.Check(t, filepath.Join("testdata", "v3", strings.TrimSuffix(name, ".gz")), got)
	}
}

func TestRoundTrip(t *testing.T) {
	dir := writeFixture(t)
	back, obs, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, wantObs := fixture()
	if len(back.Alerts) != 1 || back.Alerts[0].Match.Sources[0].Family != "Pegasus" || back.Verdict != model.VerdictDetected ||
		len(back.Modules) != 1 || back.Modules[0].Seen != 2 || back.Info.ModuleVersions["sms"] != 1 {
		t.Errorf("round trip lost data: %+v", back)
	}
	var events []model.Event
	back.EachEvent(func(e *model.Event) error { events = append(events, *e); return nil })
	if back.EventCount() != 2 || len(events) != 2 || *events[1].Level != model.Critical || events[0].Description != want.Timeline.(model.Events)[0].Description {
		t.Errorf("timeline: count %d, %+v", back.EventCount(), events)
	}
	if len(obs) != 2 || !reflect.DeepEqual(obs, []ObservableRecord(wantObs)) {
		t.Errorf("observables:\n got %+v\nwant %+v", obs, wantObs)
	}
	var recs []string
	if err := EachRecord(dir, filepath.Join(ModuleDir(0), "sms.json"), func(b json.RawMessage) error {
		recs = append(recs, string(b))
		return nil
	}); err != nil || len(recs) != 2 || recs[1] != `{"rowid":2,"text":"there"}` {
		t.Errorf("records %q, %v", recs, err)
	}
}

// TestObservablesGroupedPerValue: one line per value, with its total count,
// its earliest time and each place it was seen.
func TestObservablesGroupedPerValue(t *testing.T) {
	dir := writeFixture(t)
	lines := strings.Split(strings.TrimSpace(string(readPlain(t, filepath.Join(dir, ObservablesFile)))), "\n")
	if len(lines) != 1 {
		t.Fatalf("%d lines, want 1 (one value)", len(lines))
	}
	var l ObservableLine
	if err := json.Unmarshal([]byte(lines[0]), &l); err != nil {
		t.Fatal(err)
	}
	if l.Count != 3 || len(l.Seen) != 2 || l.FirstSeen.Hour() != 10 || l.Seen[0].Module != "safari" {
		t.Errorf("%+v", l)
	}
}

// TestLoadMigratesFormat1: a folder written before format versions (the
// files of spyscan's first release, kept in testdata/v1) loads, and a
// recheck folder made from it is in the current format.
func TestLoadMigratesFormat1(t *testing.T) {
	src := filepath.Join("testdata", "v1")
	if v, err := FolderVersion(src); err != nil || v != 1 {
		t.Fatalf("FolderVersion = %d, %v", v, err)
	}
	r, obs, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	if r.Verdict != model.VerdictDetected || len(r.Alerts) != 1 || r.EventCount() != 2 || len(obs) != 1 || len(r.Modules) != 1 || r.Modules[0].Module != "sms" {
		t.Fatalf("migrated: %+v, %d observables", r, len(obs))
	}
	dst := t.TempDir()
	if err := Write(dst, r, ObservableList(obs)); err != nil {
		t.Fatal(err)
	}
	if err := CopyModules(src, dst); err != nil {
		t.Fatal(err)
	}
	n := 0
	if err := EachRecord(dst, filepath.Join(ModuleDir(0), "sms.json"), func(json.RawMessage) error { n++; return nil }); err != nil || n != 2 {
		t.Errorf("migrated records: %d, %v", n, err)
	}
	if v, err := FolderVersion(dst); err != nil || v != FormatVersion {
		t.Errorf("rewritten folder: version %d, %v", v, err)
	}
}

func TestLoadRefusesNewerFormat(t *testing.T) {
	dir := writeFixture(t)
	b, _ := os.ReadFile(filepath.Join(dir, InfoFile))
	cur := fmt.Sprintf(`"format_version": %d`, FormatVersion)
	if !bytes.Contains(b, []byte(cur)) {
		t.Fatalf("info.json lacks %s", cur)
	}
	b = bytes.Replace(b, []byte(cur), []byte(`"format_version": 99`), 1)
	os.WriteFile(filepath.Join(dir, InfoFile), b, 0o644)
	_, _, err := Load(dir)
	if !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "format version 99") || !strings.Contains(err.Error(), "newer spyscan") {
		t.Errorf("err = %v", err)
	}
}

// TestTimelineCSVPlain: timeline.csv is a plain CSV file with MVT's header
// (spreadsheets open it as it is), and OpenTimelineCSV gives the same rows.
func TestTimelineCSVPlain(t *testing.T) {
	dir := writeFixture(t)
	b, err := os.ReadFile(filepath.Join(dir, "timeline.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("UTC Timestamp,Plugin,Event,Description\n")) {
		t.Errorf("timeline.csv starts %q, want MVT's header", b[:min(len(b), 60)])
	}
	rc, err := OpenTimelineCSV(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, b) {
		t.Errorf("OpenTimelineCSV = %q, want the file", got)
	}
}

// TestFormat2Folder: a format 2 folder (the timeline CSV gzip'd as
// timeline.csv.gz, the rest as in format 3) loads, and its CSV reads plain.
func TestFormat2Folder(t *testing.T) {
	dir := writeFixture(t)
	_, obs3, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	csvBytes, _ := os.ReadFile(filepath.Join(dir, TimelineCSV))
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write(csvBytes)
	zw.Close()
	os.Remove(filepath.Join(dir, TimelineCSV))
	os.WriteFile(filepath.Join(dir, "timeline.csv.gz"), z.Bytes(), 0o600)
	b, _ := os.ReadFile(filepath.Join(dir, InfoFile))
	b = bytes.Replace(b, []byte(fmt.Sprintf(`"format_version": %d`, FormatVersion)), []byte(`"format_version": 2`), 1)
	os.WriteFile(filepath.Join(dir, InfoFile), b, 0o600)
	if v, err := FolderVersion(dir); err != nil || v != 2 {
		t.Fatalf("version %d, %v", v, err)
	}
	r, obs, err := Load(dir)
	if err != nil || r.EventCount() != 2 || !reflect.DeepEqual(obs, obs3) || len(r.Alerts) != 1 {
		t.Fatalf("format 2: %v, %d observables (format 3: %d)", err, len(obs), len(obs3))
	}
	rc, err := OpenTimelineCSV(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, err := io.ReadAll(rc); err != nil || !bytes.Equal(got, csvBytes) {
		t.Errorf("format 2 timeline CSV: %q, %v", got, err)
	}
	dst := t.TempDir()
	if err := CopyModules(dir, dst); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, ModuleDir(0), "sms.json")); err != nil {
		t.Errorf("module files of a format 2 folder not copied: %v", err)
	}
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, InfoFile), []byte("{"), 0o644)
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), InfoFile) {
		t.Errorf("err = %v", err)
	}
	dir = writeFixture(t)
	os.WriteFile(filepath.Join(dir, ObservablesFile), []byte("not gzip"), 0o644)
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), ObservablesFile) {
		t.Errorf("corrupt observables: err = %v", err)
	}
}

// TestTimelineCSVNeutralised: cells from evidence that a spreadsheet would
// run as formulas, or that hide characters, are neutralised in
// timeline.csv; timeline.jsonl.gz keeps them exact.
func TestTimelineCSVNeutralised(t *testing.T) {
	r, obs := fixture()
	hostile := []string{`=HYPERLINK("http://evil/","click")`, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1)", "\t=1", "\r=1",
		"invoice_\u202Efdp.exe", "pay\u200Bpal", "bad \xff"}
	var events model.Events
	for _, h := range hostile {
		events = append(events, model.Event{Module: "sms", Event: h, Description: h})
	}
	r.Timeline = events
	dir := t.TempDir()
	if err := Write(dir, r, obs); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(readPlain(t, filepath.Join(dir, TimelineCSV)))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(hostile)+1 {
		t.Fatalf("%d rows", len(rows))
	}
	for _, row := range rows[1:] {
		for _, cell := range row[2:] {
			if cell != "" && strings.ContainsAny(cell[:1], "=+-@\t\r") {
				t.Errorf("cell %q starts a formula", cell)
			}
			if strings.ContainsAny(cell, "\u202E\u200B") || !utf8.ValidString(cell) {
				t.Errorf("cell %q hides characters", cell)
			}
		}
	}
	back, _, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	back.EachEvent(func(e *model.Event) error {
		want := strings.ToValidUTF8(hostile[i], "\uFFFD") // JSON strings are UTF-8
		if e.Description != want {
			t.Errorf("timeline.jsonl.gz changed %q to %q", want, e.Description)
		}
		i++
		return nil
	})
	if i != len(hostile) {
		t.Errorf("%d events read back", i)
	}
}

// BenchmarkSmallGzipFiles: a module's records file of a few lines, as most
// modules of a backup write (created, written, closed).
func BenchmarkSmallGzipFiles(b *testing.B) {
	dir := b.TempDir()
	line := []byte(`{"file_id":"3d0d7e5fb2ce288813306e4d4636395e047a3d28","domain":"HomeDomain","relative_path":"Library/SMS/sms.db"}`)
	b.ReportAllocs()
	for b.Loop() {
		g, err := createGzip(filepath.Join(dir, "m.records.jsonl.gz"))
		if err != nil {
			b.Fatal(err)
		}
		for range 20 {
			g.Write(line)
			g.WriteByte('\n')
		}
		if err := g.close(); err != nil {
			b.Fatal(err)
		}
	}
}

func TestGzipFileClosedTwice(t *testing.T) {
	g, err := createGzip(filepath.Join(t.TempDir(), "x.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if err := g.close(); err != nil {
		t.Fatal(err)
	}
	if err := g.close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second close: %v, want os.ErrClosed", err)
	}
	if _, err := g.Write([]byte("x")); !errors.Is(err, os.ErrClosed) {
		t.Errorf("write after close: %v, want os.ErrClosed", err)
	}
}
