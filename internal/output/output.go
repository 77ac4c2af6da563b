// Package output owns the on-disk result folder of a scan and its format
// version. A folder of format 3 holds:
//
//	info.json                                  format_version, verdict, chain of custody, module versions
//	alerts.json                                every alert
//	timeline.csv                               the merged timeline with MVT's columns, plain CSV
//	timeline.jsonl.gz                          the same events with every field, one per line
//	observables.jsonl.gz                       each checked value once, with where and how often it was seen
//	modules/input<N>/<module>.json             one module's status, files, errors and alerts on input N
//	modules/input<N>/<module>.records.jsonl.gz its records, one per line, streamed as they are produced
//	report.html
//
// The bulk JSON-lines files are gzip-compressed (zcat reads them); the
// timeline CSV is plain, for spreadsheets and MVT users (format 2 had it
// gzip'd as timeline.csv.gz, the only difference from format 3).
// Schemas of every JSON file are in schema/ (embedded, see Schemas). It
// writes deterministically: the same report gives the same bytes, apart
// from info.json's generated_at. Load reads a folder back, migrating
// format 1 (the folders of earlier versions) and refusing newer formats.
package output

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/klauspost/compress/gzip"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/textsafe"
	"github.com/spyscan/spyscan/internal/timefmt"
)

// FormatVersion is the version of the result folder this package writes.
const FormatVersion = 3

// File names inside a result folder.
const (
	InfoFile         = "info.json"
	AlertsFile       = "alerts.json"
	TimelineCSV      = "timeline.csv"
	TimelineJSON     = "timeline.jsonl.gz"
	ObservablesFile  = "observables.jsonl.gz"
	ModulesDir       = "modules"
	ReportHTML       = "report.html"
	recordsSuffix    = ".records.jsonl.gz"
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

// RemoveAll removes a result folder that must not be kept (the scan was
// interrupted or failed), retrying briefly while a module left behind by
// an interruption finishes writing into it.
func RemoveAll(dir string) error {
	var err error
	for range 5 {
		if err = os.RemoveAll(dir); err == nil {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return err
}

// ObservableRecord is a module.Observable with the module and input it came from.
type ObservableRecord struct {
	Module string `json:"module"`
	Input  string `json:"input,omitempty"`
	module.Observable
}

// info is info.json: the format version, the verdict and the scan info.
type info struct {
	FormatVersion  int           `json:"format_version"`
	Verdict        model.Verdict `json:"verdict"`
	TimelineEvents int           `json:"timeline_events"`
	model.ScanInfo
}

// Write writes everything but the module files (see ModuleWriter) and the
// HTML report into dir, which must exist: the timeline and the observables
// are streamed from r.Timeline and obs (nil: none).
func Write(dir string, r *model.Report, obs Observables) error {
	return WriteWith(dir, r, obs, nil)
}

// WriteWith is Write that also gives each event of the timeline, in order,
// to also (when not nil) during the one pass that writes the timeline
// files: a caller that needs the events too (the HTML report) does not read
// the merged timeline again.
func WriteWith(dir string, r *model.Report, obs Observables, also func(*model.Event) error) error {
	in := info{FormatVersion: FormatVersion, Verdict: r.Verdict, TimelineEvents: r.EventCount(), ScanInfo: r.Info}
	if err := writeInfo(filepath.Join(dir, InfoFile), in); err != nil {
		return err
	}
	alerts := r.Alerts
	if alerts == nil {
		alerts = []model.Alert{}
	}
	if err := writeJSON(filepath.Join(dir, AlertsFile), alerts); err != nil {
		return err
	}
	if err := writeTimeline(dir, r, also); err != nil {
		return err
	}
	if obs == nil {
		obs = ObservableList(nil)
	}
	return writeGzip(filepath.Join(dir, ObservablesFile), func(w io.Writer) error { return writeObservables(w, obs) })
}

// writeTimeline writes the CSV and the JSON lines of the timeline in one
// pass over the merged events, and gives each to also (when not nil).
func writeTimeline(dir string, r *model.Report, also func(*model.Event) error) error {
	csvPath, jsonPath := filepath.Join(dir, TimelineCSV), filepath.Join(dir, TimelineJSON)
	cf, err := createPlain(csvPath)
	if err != nil {
		return err
	}
	jf, err := createGzip(jsonPath)
	if err != nil {
		cf.close()
		return err
	}
	tw := NewTimelineCSV(cf)
	lw := newLineWriter(jf)
	werr := r.EachEvent(func(e *model.Event) error {
		if err := tw.Write(e); err != nil {
			return fmt.Errorf("%s: %w", csvPath, err)
		}
		if err := lw.event(e); err != nil {
			return fmt.Errorf("%s: %w", jsonPath, err)
		}
		if also != nil {
			return also(e)
		}
		return nil
	})
	if werr == nil {
		werr = tw.Flush()
	}
	return errors.Join(werr, cf.close(), jf.close())
}

// TimelineCSVWriter writes events with MVT's columns (UTC Timestamp, Plugin,
// Event, Description), byte for byte as encoding/csv's Writer does
// (TestCSVRowAsEncodingCSV), but appending each row into one buffer
// instead of through a []string and csv's own second buffer.
type TimelineCSVWriter struct {
	w      io.Writer
	buf    []byte
	header bool
	err    error
}

// csvFlushAt is the buffered size past which rows are handed to the writer.
const csvFlushAt = 32 << 10

var csvHeader = []string{"UTC Timestamp", "Plugin", "Event", "Description"}

// NewTimelineCSV writes a timeline CSV to w.
func NewTimelineCSV(w io.Writer) *TimelineCSVWriter { return &TimelineCSVWriter{w: w} }

// Write writes one event (and the header before the first).
func (t *TimelineCSVWriter) Write(e *model.Event) error {
	t.writeHeader()
	var ts [len(timestampLayout) + 8]byte
	stamp := ts[:0]
	if !e.Time.IsZero() {
		stamp = timefmt.AppendMicro(stamp, e.Time.UTC()) // timestampLayout, without reading it
	}
	t.buf = appendCSVField(t.buf, string(stamp))
	for _, f := range [...]string{e.Module, e.Event, e.Description} {
		t.buf = append(t.buf, ',')
		t.buf = appendCSVCell(t.buf, f)
	}
	t.buf = append(t.buf, '\n')
	if len(t.buf) >= csvFlushAt {
		t.flushBuf()
	}
	return t.err
}

// writeHeader adds the header row before the first row.
func (t *TimelineCSVWriter) writeHeader() {
	if t.header {
		return
	}
	t.header = true
	t.buf = appendCSVRow(t.buf, csvHeader...)
}

// flushBuf hands the buffered rows to the writer; the first error sticks.
func (t *TimelineCSVWriter) flushBuf() {
	if t.err == nil && len(t.buf) > 0 {
		_, t.err = t.w.Write(t.buf)
	}
	t.buf = t.buf[:0]
}

// Flush writes the header if no event came, and flushes.
func (t *TimelineCSVWriter) Flush() error {
	t.writeHeader()
	t.flushBuf()
	return t.err
}

// appendCSVRow appends one record as csv.Writer writes it (comma, "\n").
func appendCSVRow(dst []byte, fields ...string) []byte {
	for i, f := range fields {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCSVField(dst, f)
	}
	return append(dst, '\n')
}

// appendCSVCell appends csvCell(f) as appendCSVField writes it. A text of
// printable ASCII, the common case, is checked and written in one pass:
// csvCell leaves it as it is unless it starts like a formula, and it needs
// quotes only for a quote, a comma, a leading space or being \.; any other
// text goes through csvCell and appendCSVField (TestCSVCellOnePass,
// FuzzCSVCell).
func appendCSVCell(dst []byte, f string) []byte {
	quote := false
	for i := 0; i < len(f); i++ {
		switch c := f[i]; {
		case c < 0x20 || c > 0x7e:
			return appendCSVField(dst, csvCell(f))
		case c == '"' || c == ',':
			quote = true
		}
	}
	if f == "" {
		return dst
	}
	switch f[0] {
	case '=', '+', '-', '@':
		return appendCSVField(dst, csvCell(f))
	case ' ':
		quote = true
	}
	if !quote && f != `\.` {
		return append(dst, f...)
	}
	return appendQuoted(dst, f)
}

// appendCSVField appends one field as csv.Writer writes it: quoted when
// it holds a quote, a comma, a CR or LF, starts with a space or is \.,
// with its quotes doubled.
func appendCSVField(dst []byte, f string) []byte {
	if !csvNeedsQuotes(f) {
		return append(dst, f...)
	}
	return appendQuoted(dst, f)
}

// appendQuoted appends f between quotes, its quotes doubled.
func appendQuoted(dst []byte, f string) []byte {
	dst = append(dst, '"')
	for len(f) > 0 {
		i := strings.IndexByte(f, '"')
		if i < 0 {
			i = len(f)
		}
		dst = append(dst, f[:i]...)
		f = f[i:]
		if len(f) > 0 {
			dst = append(dst, '"', '"')
			f = f[1:]
		}
	}
	return append(dst, '"')
}

// csvNeedsQuotes is csv.Writer's fieldNeedsQuotes for a comma separator.
func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` || strings.ContainsAny(f, "\n\r\",") {
		return true
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// csvCell is the text of one CSV cell taken from the evidence: through
// textsafe.CSVCell, no spreadsheet formula and no hidden or misleading
// character (timeline.jsonl.gz keeps the raw values).
func csvCell(s string) string { return textsafe.CSVCell(s) }

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
	bw := bufPool.Get().(*bufio.Writer) // one per file of a scan (~40 module files) cost 2.7 MB of 64 KB buffers
	bw.Reset(f)
	ferr := fill(bw)
	err = errors.Join(ferr, bw.Flush(), f.Close())
	bw.Reset(nil)
	bufPool.Put(bw)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func writeGzip(path string, fill func(io.Writer) error) error {
	g, err := createGzip(path)
	if err != nil {
		return err
	}
	ferr := fill(g)
	if err := errors.Join(ferr, g.close()); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// gzFile is a buffered gzip stream into a new file. Compression level 1:
// the results are text that compresses 5-10x even at the fastest level.
// The compressor is github.com/klauspost/compress's, not the standard
// library's: at level 1 it takes half the CPU for 7% smaller files
// (BenchmarkGzipTimeline: 263-291 -> 443-541 MB per CPU-second; on the
// 80 MB timeline of a 200,000-row backup 245-251 -> 110-133 ms of CPU,
// 5.40 -> 5.00 MB). The bytes differ from the standard library's, the
// decompressed content does not; for one input and one build they are
// the same on every run (TestGzipFileSameBytes), and any gzip reader,
// the standard library's included, reads them.
// Its compressor and buffers come from a pool and go back to it at close
// (a gzip.Writer allocates 1.2 MB, and a scan writes one file per module
// that has records); writing after close fails with os.ErrClosed. The
// compressor writes into a buffer too, not into the file: it hands its
// output over every ~246 bytes, which unbuffered was one write system
// call each (130,000 of them on a 500,000-file androidqf).
type gzFile struct {
	path string
	f    *os.File
	z    *gzip.Writer
	w    *bufio.Writer // in front of the compressor
	fw   *bufio.Writer // between the compressor and the file
}

var (
	gzPool  = sync.Pool{New: func() any { z, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed); return z }} // a valid level: no error
	bufPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 1<<16) }}
)

func createGzip(path string) (*gzFile, error) {
	f, err := Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	fw := bufPool.Get().(*bufio.Writer)
	fw.Reset(f)
	z := gzPool.Get().(*gzip.Writer)
	z.Reset(fw) // as from NewWriterLevel: the same bytes as a new writer's
	w := bufPool.Get().(*bufio.Writer)
	w.Reset(z)
	return &gzFile{path: path, f: f, z: z, w: w, fw: fw}, nil
}

func (g *gzFile) Write(p []byte) (int, error) {
	if g.w == nil {
		return 0, os.ErrClosed
	}
	return g.w.Write(p)
}

func (g *gzFile) WriteByte(c byte) error {
	if g.w == nil {
		return os.ErrClosed
	}
	return g.w.WriteByte(c)
}

// plainFile is a buffered stream into a new file.
type plainFile struct {
	path string
	f    *os.File
	*bufio.Writer
}

func createPlain(path string) (*plainFile, error) {
	f, err := Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &plainFile{path: path, f: f, Writer: bufio.NewWriterSize(f, 1<<16)}, nil
}

func (p *plainFile) close() error {
	if err := errors.Join(p.Flush(), p.f.Close()); err != nil {
		return fmt.Errorf("%s: %w", p.path, err)
	}
	return nil
}

func (g *gzFile) close() error {
	if g.w == nil {
		return fmt.Errorf("%s: %w", g.path, os.ErrClosed)
	}
	err := errors.Join(g.w.Flush(), g.z.Close(), g.fw.Flush(), g.f.Close())
	g.w.Reset(nil)
	g.z.Reset(nil)
	g.fw.Reset(nil)
	bufPool.Put(g.w)
	bufPool.Put(g.fw)
	gzPool.Put(g.z)
	g.w, g.z, g.fw = nil, nil, nil
	if err != nil {
		return fmt.Errorf("%s: %w", g.path, err)
	}
	return nil
}
