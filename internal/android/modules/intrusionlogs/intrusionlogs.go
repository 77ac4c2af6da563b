// Package intrusionlogs owns the intrusion_logs module: Android Intrusion
// Logs (Android 16 Advanced Protection), given on their own (a folder read
// recursively, a .zip with nested zips, one .txt file) or inside an
// androidqf acquisition (its intrusion_logs/ subfolder, or intrusion-logs/
// as MVT's documentation names it).
//
// Events are read once (internal/android/intrusionlog), identical events of
// overlapping daily files counted once, and every event goes on the
// timeline. Checked against indicators: DNS host names (domain), every
// resolved address and every connection's address (as IP addresses, never
// as domain suffixes), the packages that made them, started app processes,
// installed/updated/removed packages, the APK hash of a started process,
// the package names, paths and URLs of adb shell commands, and the paths of
// adb file transfers. The security events MVT flags raise the same
// heuristic alerts (a CA certificate installed, certificate validation
// failures, key integrity violations, wipe failures, failed crypto self
// tests). Malformed lines are read errors naming the file and the line, so
// the module is partial and the scan never says clean on them.
package intrusionlogs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/intrusionlog"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/safearchive"
)

// Name is the module's name.
const Name = "intrusion_logs"

// QFDirs are the androidqf subfolders holding intrusion logs: androidqf's
// code writes intrusion_logs/, MVT's documentation says intrusion-logs/.
var QFDirs = []string{"intrusion_logs", "intrusion-logs"}

// Limits of the walk.
const (
	MaxNestedZip   = 512 << 20 // a zip inside the input, read into memory
	MaxZipDepth    = 4         // zips within zips
	MaxLineErrors  = 20        // malformed lines reported one by one per file, then counted
	maxNestedFiles = 100_000
)

// nestedLimits bound what a nested zip may declare.
var nestedLimits = safearchive.Limits{MaxEntry: 4 << 30, MaxTotal: 16 << 30, MaxEntries: maxNestedFiles}

// Record is one event as stored in the module's output.
type Record struct {
	EventType  string         `json:"event_type"`
	Tag        string         `json:"tag,omitempty"`
	TagID      int            `json:"tag_id,omitempty"`
	Time       time.Time      `json:"time,omitzero"`
	DeviceTime string         `json:"device_time,omitempty"` // in the device's time zone, when known
	File       string         `json:"file"`
	Line       int            `json:"line"`
	Data       map[string]any `json:"data"`
}

// Module is the intrusion-logs module.
type Module struct{ module.Base }

// New returns the module.
func New() Module {
	return Module{module.NewBase(Name, 1, module.Kinds(acquisition.AndroidIntrusionLogs, acquisition.AndroidQF))}
}

// IsLogName reports whether a file name is one intrusion logs are read from.
func IsLogName(name string) bool {
	n := strings.ToLower(name)
	return strings.HasSuffix(n, ".txt") || strings.HasSuffix(n, ".jsonl") || strings.HasSuffix(n, ".ndjson")
}

// IsZipName reports whether a file name is a zip to walk.
func IsZipName(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".zip") }

// run is one module run.
type run struct {
	ctx     context.Context
	rec     *module.Recorder
	rd      *intrusionlog.Reader
	loc     *time.Location
	files   int
	noTime  int
	unknown map[string]int
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	roots := Roots(in.Acq.FS, in.Acq.Kind)
	if len(roots) == 0 {
		return module.ErrNotFound
	}
	r := &run{ctx: ctx, rec: rec, rd: intrusionlog.NewReader(), unknown: map[string]int{}}
	if in.Acq.TZ != "" {
		if loc, err := time.LoadLocation(in.Acq.TZ); err == nil {
			r.loc = loc
		} else {
			rec.Note(i18n.M("android.note.unknown_tz", "tz", in.Acq.TZ))
		}
	}
	for _, root := range roots {
		if err := r.walk(in.Acq.FS, root, "", 0); err != nil {
			return err
		}
	}
	if r.files == 0 {
		return module.ErrNotFound
	}
	r.notes()
	return nil
}

// Roots returns where the logs are in fsys: the whole input, or the
// androidqf subfolders (and zips of that name) present.
func Roots(fsys fs.FS, kind acquisition.Kind) []string {
	if kind == acquisition.AndroidIntrusionLogs {
		return []string{"."}
	}
	var out []string
	for _, d := range QFDirs {
		for _, n := range []string{d, d + ".zip"} {
			if _, err := fs.Stat(fsys, n); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// walk reads the logs under root of fsys; prefix names the zips it is in.
func (r *run) walk(fsys fs.FS, root, prefix string, depth int) error {
	return fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if cerr := r.ctx.Err(); cerr != nil {
			return cerr
		}
		name := prefix + p
		if err != nil {
			r.rec.FileError(name, fmt.Errorf("%s: %w", name, err))
			return nil
		}
		switch {
		case d.IsDir():
		case IsZipName(d.Name()):
			r.zip(fsys, p, name, depth)
		case IsLogName(d.Name()):
			r.file(fsys, p, name)
		}
		return nil
	})
}

// zip walks a zip found at p (named name), read into memory.
func (r *run) zip(fsys fs.FS, p, name string, depth int) {
	if depth >= MaxZipDepth {
		r.rec.FileError(name, fmt.Errorf("%s: %w: zips nested deeper than %d", name, acquisition.ErrUnsafeArchive, MaxZipDepth))
		return
	}
	b, err := readAll(fsys, p, MaxNestedZip)
	if err != nil {
		r.rec.FileError(name, fmt.Errorf("%s: %w", name, err))
		return
	}
	z, err := safearchive.New(bytes.NewReader(b), int64(len(b)), name, nestedLimits)
	if err != nil {
		r.rec.FileError(name, err)
		return
	}
	r.rec.File(name)
	if err := r.walk(z, ".", name+"::", depth+1); err != nil {
		r.rec.FileError(name, fmt.Errorf("%s: %w", name, err))
	}
}

func readAll(fsys fs.FS, p string, limit int64) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: larger than %d bytes", acquisition.ErrUnsafeArchive, limit)
	}
	return b, nil
}

// file reads one log file.
func (r *run) file(fsys fs.FS, p, name string) {
	f, err := fsys.Open(p)
	if err != nil {
		r.rec.FileError(name, fmt.Errorf("%s: %w", name, err))
		return
	}
	defer f.Close()
	r.rec.File(name)
	r.files++
	bad := 0
	_, err = r.rd.ReadAll(f, func(e intrusionlog.Event, line int) {
		r.event(e, name, line)
	}, func(le *intrusionlog.LineError) {
		bad++
		if bad <= MaxLineErrors {
			r.rec.FileError(name, fmt.Errorf("%s: %w", name, le))
		}
	})
	if bad > MaxLineErrors {
		r.rec.FileError(name, fmt.Errorf("%s: %d more malformed lines", name, bad-MaxLineErrors))
	}
	if err != nil {
		r.rec.FileError(name, fmt.Errorf("%s: %w", name, err))
	}
}

// event records, places on the timeline and checks one event.
func (r *run) event(e intrusionlog.Event, file string, line int) {
	rec := Record{EventType: e.Type, Tag: e.Tag, TagID: e.TagID, Time: e.Time, File: file, Line: line, Data: e.Data}
	if r.loc != nil && !e.Time.IsZero() {
		rec.DeviceTime = e.Time.In(r.loc).Format("2006-01-02 15:04:05.000 MST")
	}
	r.rec.Record(rec)
	if !intrusionlog.KnownType(e.Type) {
		r.unknown[e.Type]++
	} else if e.Type == intrusionlog.Security && !intrusionlog.KnownTag(e.Tag) {
		r.unknown[e.Type+":"+e.Tag]++
	}
	what := e.Type
	if e.Tag != "" {
		what = e.Tag
	}
	if e.Time.IsZero() {
		r.noTime++
	} else {
		r.rec.Event(model.Event{Time: e.Time, Event: what, Artifact: file, DescriptionMsg: Describe(e)})
	}
	w := module.Where{Artifact: file, Time: e.Time, Record: rec}
	switch e.Type {
	case intrusionlog.DNS:
		checkDNS(r.rec, e, w)
	case intrusionlog.Connect:
		checkConnect(r.rec, e, w)
	case intrusionlog.Security:
		checkSecurity(r.rec, e, w)
	default:
		checkGeneric(r.rec, e, w)
	}
}

func (r *run) notes() {
	if r.rd.Duplicates > 0 {
		r.rec.Note(i18n.M("android.note.duplicates", "n", r.rd.Duplicates))
	}
	if r.noTime > 0 {
		r.rec.Note(i18n.M("android.note.no_time", "n", r.noTime))
	}
	if len(r.unknown) > 0 {
		var l []string
		for k, n := range r.unknown {
			l = append(l, fmt.Sprintf("%s (%d)", k, n))
		}
		sort.Strings(l)
		r.rec.Note(i18n.M("android.note.new_types", "types", strings.Join(l, ", ")))
	}
}

// CleanIP returns the address of an intrusion-log IP field ("/1.2.3.4",
// "ip6-localhost/::1", "1.2.3.4"), or false when it holds none.
func CleanIP(s string) (netip.Addr, bool) {
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:]
	}
	a, err := netip.ParseAddr(strings.TrimSpace(s))
	if err != nil {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// local reports addresses that never leave the device.
func local(a netip.Addr) bool { return a.IsLoopback() || a.IsUnspecified() }

func checkIPField(rec *module.Recorder, v string, w module.Where) {
	if a, ok := CleanIP(v); ok && !local(a) {
		rec.CheckIP(a.String(), w)
	}
}

func checkDNS(rec *module.Recorder, e intrusionlog.Event, w module.Where) {
	w.Label = i18n.M("android.what.dns_query")
	rec.CheckDomain(e.Str("hostname"), w)
	w.Label = i18n.M("android.what.dns_answer")
	for _, ip := range e.Strs("ip_addresses") {
		checkIPField(rec, ip, w)
	}
	w.Label = i18n.M("android.what.dns_app")
	rec.CheckAppID(e.Str("package_name"), w)
}

func checkConnect(rec *module.Recorder, e intrusionlog.Event, w module.Where) {
	w.Label = i18n.M("android.what.connection_to")
	checkIPField(rec, e.Str("ip_address"), w)
	w.Label = i18n.M("android.what.connection_app")
	rec.CheckAppID(e.Str("package_name"), w)
}

// checkGeneric checks the fields of event types spyscan does not know by
// their names.
func checkGeneric(rec *module.Recorder, e intrusionlog.Event, w module.Where) {
	w.Label = i18n.M("android.what.generic_host", "type", e.Type)
	rec.CheckDomain(e.Str("hostname", "host"), w)
	w.Label = i18n.M("android.what.generic_address", "type", e.Type)
	checkIPField(rec, e.Str("ip_address"), w)
	for _, ip := range e.Strs("ip_addresses") {
		checkIPField(rec, ip, w)
	}
	w.Label = i18n.M("android.what.generic_package", "type", e.Type)
	rec.CheckAppID(e.Str("package_name", "package"), w)
	w.Label = i18n.M("android.what.generic_path", "type", e.Type)
	rec.CheckPath(e.Str("path"), w)
}

// Describe is the timeline description of an event.
func Describe(e intrusionlog.Event) i18n.Msg {
	switch e.Type {
	case intrusionlog.DNS:
		ips := strings.Join(e.Strs("ip_addresses"), ", ")
		return i18n.M("android.il.dns", "host", e.Str("hostname"), "app", orUnknownApp(e.Str("package_name")), "ips", ips)
	case intrusionlog.Connect:
		return i18n.M("android.il.connect", "ip", e.Str("ip_address"), "port", e.Str("port"), "app", orUnknownApp(e.Str("package_name")))
	case intrusionlog.Security:
		return describeSecurity(e)
	}
	return i18n.M("android.il.generic", "type", e.Type, "data", compact(e.Data))
}

func orUnknownApp(s string) any {
	if s == "" {
		return i18n.M("android.il.unknown_app")
	}
	return s
}

func compact(m map[string]any) string {
	var parts []string
	for k, v := range m {
		if k == "event_time" {
			continue
		}
		parts = append(parts, fmt.Sprintf("%s=%v", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}
