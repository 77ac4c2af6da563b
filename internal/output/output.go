// Package output owns the on-disk result folder of a scan: one JSON file per
// module (records streamed as they are produced), alerts.json,
// timeline.csv (MVT's columns), timeline.json, observables.json and
// info.json. It writes deterministically: the same report gives the same
// bytes, apart from info.json's generated_at. Load reads a folder back.
package output

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/textsafe"
)

// File names inside a result folder.
const (
	InfoFile         = "info.json"
	AlertsFile       = "alerts.json"
	TimelineCSV      = "timeline.csv"
	TimelineJSON     = "timeline.json"
	ObservablesFile  = "observables.json"
	ModulesDir       = "modules"
	ReportHTML       = "report.html"
	timestampLayout  = "2006-01-02 15:04:05.000000"
	timestampLayoutZ = time.RFC3339Nano
)

// Result folders hold personal data (messages, contacts, places): they
// are made readable by the user alone, as ios decrypt's output is.
const (
	DirMode  = 0o700
	FileMode = 0o600
)

// Create creates or truncates a result file with FileMode.
func Create(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, FileMode)
	if err != nil {
		return nil, err
	}
	if err := f.Chmod(FileMode); err != nil { // an older file keeps its mode otherwise
		f.Close()
		return nil, err
	}
	return f, nil
}

// MkdirPrivate creates dir (and its parents) with DirMode, and makes an
// existing dir private too.
func MkdirPrivate(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return err
	}
	return os.Chmod(dir, DirMode)
}

// ObservableRecord is a module.Observable with the module and input it came from.
type ObservableRecord struct {
	Module string `json:"module"`
	Input  string `json:"input,omitempty"`
	module.Observable
}

// info is info.json: the scan info plus the verdict.
type info struct {
	Verdict model.Verdict `json:"verdict"`
	model.ScanInfo
}

// Write writes everything but the module files (see ModuleWriter) and the
// HTML report into dir, which must exist.
func Write(dir string, r *model.Report, obs []ObservableRecord) error {
	if err := writeJSON(filepath.Join(dir, InfoFile), info{Verdict: r.Verdict, ScanInfo: r.Info}); err != nil {
		return err
	}
	alerts := r.Alerts
	if alerts == nil {
		alerts = []model.Alert{}
	}
	if err := writeJSON(filepath.Join(dir, AlertsFile), alerts); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, TimelineJSON), func(w io.Writer) error { return writeJSONLines(w, r.Timeline) }); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, ObservablesFile), func(w io.Writer) error { return writeJSONLines(w, obs) }); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, TimelineCSV), func(w io.Writer) error { return WriteTimelineCSV(w, r.Timeline) })
}

// WriteTimelineCSV writes the timeline with MVT's columns. Cells from
// evidence go through textsafe.CSVCell: no spreadsheet formula, no hidden
// or misleading character (timeline.json keeps the raw values).
func WriteTimelineCSV(w io.Writer, events []model.Event) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"UTC Timestamp", "Plugin", "Event", "Description"}); err != nil {
		return err
	}
	for _, e := range events {
		ts := ""
		if !e.Time.IsZero() {
			ts = e.Time.UTC().Format(timestampLayout)
		}
		if err := cw.Write([]string{ts, textsafe.CSVCell(e.Module), textsafe.CSVCell(e.Event), textsafe.CSVCell(e.Description)}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// writeJSONLines writes a JSON array with one compact element per line:
// still valid JSON and easy to grep, and much cheaper than indenting a
// timeline of a million events.
func writeJSONLines[T any](w io.Writer, items []T) error {
	if _, err := io.WriteString(w, "["); err != nil {
		return err
	}
	for i, it := range items {
		b, err := json.Marshal(it)
		if err != nil {
			return err
		}
		sep := ",\n"
		if i == 0 {
			sep = "\n"
		}
		if _, err := io.WriteString(w, sep); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, "\n]\n")
	return err
}

func writeJSON(path string, v any) error {
	return writeFile(path, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

func writeFile(path string, fill func(io.Writer) error) error {
	f, err := Create(path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	ferr := fill(bw)
	if err := errors.Join(ferr, bw.Flush(), f.Close()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
