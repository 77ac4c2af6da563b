package hostile

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/spyscan/spyscan/internal/output"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// misleading is a text from evidence crafted to attack or mislead the
// reader of the results, and how a spreadsheet-safe, visible rendering
// shows it.
type misleading struct {
	name string
	raw  string
	// shown is the text as timeline.csv shows it; atStart: when the text
	// starts a cell (a formula is then prefixed with a single quote).
	shown, atStart string
}

var misleadingTexts = []misleading{
	{"HYPERLINK formula", `=HYPERLINK("http://evil.example/","click")`, `=HYPERLINK("http://evil.example/","click")`, `'=HYPERLINK("http://evil.example/","click")`},
	{"DDE formula", `+1+cmd|' /C calc'!A0`, `+1+cmd|' /C calc'!A0`, `'+1+cmd|' /C calc'!A0`},
	{"minus formula", "-2+3+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"},
	{"at formula", "@SUM(1+1)*cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"},
	{"tab then formula", "\t=1+1", "\t=1+1", "'\t=1+1"},
	{"carriage return then formula", "\r=1+1", "\r=1+1", "'\r=1+1"},
	{"right-to-left override", "invoice_\u202Efdp.exe", `invoice_\u202Efdp.exe`, `invoice_\u202Efdp.exe`},
	{"isolates", "\u2067evil.example\u2069", `\u2067evil.example\u2069`, `\u2067evil.example\u2069`},
	{"zero-width space", "pay\u200Bpal.example", `pay\u200Bpal.example`, `pay\u200Bpal.example`},
	{"invalid UTF-8", "bad \xff\xfe name", `bad \xFF\xFE name`, `bad \xFF\xFE name`},
}

// misleadingText puts each text where evidence reaches timeline.csv and
// the report: the domain of a file of an iOS backup (it starts the
// manifest module's description), the words of a message (in the middle
// of the sms module's description) and a path of androidqf's files.json
// (it is the description). timeline.csv neutralises formulas and shows
// hidden characters as escapes, report.html shows no hidden character,
// timeline.jsonl.gz keeps the text exact.
func misleadingText(string) []Case {
	var cs []Case
	for _, m := range misleadingTexts {
		cs = append(cs,
			Case{Name: "backup file domain: " + m.name, Class: "misleading-text", Code: ExitClean, Ran: true, Unseen: true,
				build: backupWithDomain(m.raw), Check: textCheck(m, m.raw+"/Library/x.plist", true)},
			Case{Name: "message words: " + m.name, Class: "misleading-text", Code: ExitClean, Ran: true, Unseen: true,
				build: backupWithMessage(m.raw), Check: textCheck(m, m.raw, false)},
		)
		if utf8.ValidString(m.raw) { // JSON files cannot carry invalid UTF-8
			cs = append(cs, Case{Name: "androidqf file path: " + m.name, Class: "misleading-text", Code: ExitTraces, Ran: true, Unseen: true,
				build: androidqfWithPath(m.raw), Check: textCheck(m, m.raw, true)})
		}
	}
	return cs
}

func backupWithDomain(domain string) builder {
	return func(dir string) ([]string, string) {
		p := filepath.Join(dir, "backup")
		f := iosgen.File{Domain: domain, RelativePath: "Library/x.plist", Data: iosdata.XMLPlist(map[string]any{"k": "v"})}
		check(iosgen.WriteBackup(context.Background(), p, iosgen.BackupSpec{Files: []iosgen.File{f}}))
		return []string{p}, p
	}
}

func backupWithMessage(text string) builder {
	return func(dir string) ([]string, string) {
		p := filepath.Join(dir, "backup")
		msgs := []iosdata.SMSMessage{{Handle: "+41790000009", Service: "SMS", Text: text, At: iosdata.At(0)}}
		files := iosdata.SMSFrom(msgs, nil, 0, iosdata.SMSSchema)
		check(iosgen.WriteBackup(context.Background(), p, iosgen.BackupSpec{Files: files}))
		return []string{p}, p
	}
}

func androidqfWithPath(path string) builder {
	return func(dir string) ([]string, string) {
		p := filepath.Join(dir, "androidqf")
		m := androiddata.AndroidQF(androiddata.Options{})
		entry, err := json.Marshal([]androiddata.FileEntry{{Path: path, Size: 12, Mode: "-rw-r--r--", ModifiedTime: androiddata.Acquired.Unix() - 60}})
		must(err)
		m["files.json"] = entry
		check(androidgen.WriteQFFolder(p, androidgen.Files(m)))
		return []string{p}, p
	}
}

// textCheck: a description of timeline.csv shows the text as m.shown (or
// m.atStart when it starts the description), no cell starts a formula or
// hides a character, report.html holds no hidden character, and
// timeline.jsonl.gz holds the text exactly (invalid UTF-8 as U+FFFD).
func textCheck(m misleading, desc string, atStart bool) func(out string) error {
	return func(out string) error {
		rows, err := readCSV(out)
		if err != nil {
			return err
		}
		want := m.shown
		if atStart {
			want = m.atStart
		}
		found := false
		for _, row := range rows[1:] {
			for _, cell := range row[1:] {
				if cell != "" && strings.IndexByte("=+-@\t\r", cell[0]) >= 0 {
					return fmt.Errorf("timeline.csv cell %q starts a formula", cell)
				}
				if hidesText(cell) {
					return fmt.Errorf("timeline.csv cell %q hides characters", cell)
				}
			}
			if strings.Contains(row[3], want) {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("no timeline.csv description shows %q", want)
		}
		html, err := os.ReadFile(filepath.Join(out, "report.html"))
		if err != nil {
			return err
		}
		if hidesText(string(html)) {
			return fmt.Errorf("report.html holds a hidden or invalid character")
		}
		exact, err := gunzip(filepath.Join(out, "timeline.jsonl.gz"))
		if err != nil {
			return err
		}
		for line := range bytes.Lines(exact) {
			var e struct{ Description string }
			if err := json.Unmarshal(line, &e); err != nil {
				return fmt.Errorf("timeline.jsonl.gz: %w", err)
			}
			if strings.Contains(e.Description, jsonString(desc)) {
				return nil
			}
		}
		return fmt.Errorf("timeline.jsonl.gz does not hold %q exactly", desc)
	}
}

// hidesText reports invalid UTF-8 or a character a viewer hides or
// reorders (bidi controls, zero-width characters).
func hidesText(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsAny(s, "\u202A\u202B\u202C\u202D\u202E\u2066\u2067\u2068\u2069\u200B\u200C\u200D\u200E\u200F\uFEFF")
}

func gunzip(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return io.ReadAll(zr)
}

// readCSV reads the timeline CSV of result folder out.
func readCSV(out string) ([][]string, error) {
	p := filepath.Join(out, output.TimelineCSV)
	f, err := output.OpenTimelineCSV(out)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no header", p)
	}
	return rows, nil
}

// jsonString is s as a JSON string holds it: each byte that is not UTF-8
// becomes U+FFFD.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	must(err)
	var out string
	must(json.Unmarshal(b, &out))
	return out
}
