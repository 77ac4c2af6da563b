// Package crashreports owns the crash_reports module: the diagnostic
// reports iOS writes when a process crashes, is killed for memory
// (JetsamEvent), hangs (stackshot) or overuses a resource, as .ips files
// in a sysdiagnose (crashes_and_spins/) and in a filesystem dump
// (/private/var/mobile/Library/Logs/CrashReporter/, Retired/ and its other
// subfolders included). An implant that crashes, or that is running when
// memory runs short, is named in them with its path and loaded libraries.
//
// Formats read: the .ips of iOS 15 and later (a one-line JSON header with
// bug_type and timestamp, then a JSON body: procName, procPath,
// parentProc, responsibleProc, coalitionName, usedImages for a crash
// (bug_type 309); largestProcess and processes[].name for a JetsamEvent
// (298);
// processByPid[].procname for a stackshot (288)); the older text body
// after the same header ("Process:", "Path:", "Parent Process:",
// "Responsible:", "Date/Time:", and the "Binary Images:" section); and a
// .crash text report without a header.
//
// Every process name is checked against the process indicators, every
// executable and library path against the file-path indicators, and an
// executable or library in a folder where Apple's code never runs but
// implants did (/private/var/db/, /private/var/tmp/) is flagged.
package crashreports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/module"
)

// Spec locates the reports. "*.ips*" also takes the renamed copies
// (".ips.synced", ".ips.ca.synced") iOS keeps once a report was sent.
var Spec = artifact.Spec{
	Sysdiagnose: []string{"crashes_and_spins/**/*.ips*", "crashes_and_spins/**/*.crash"},
	Dump: []string{"private/var/mobile/Library/Logs/CrashReporter/**/*.ips*",
		"private/var/mobile/Library/Logs/CrashReporter/**/*.crash"},
}

const (
	maxFile = 64 << 20 // stackshots reach a few MB
	// maxNames bounds the names and paths kept from one report.
	maxNames = 100000
)

// Module is the crash_reports module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("crash_reports", 1, Spec)} }

// Report is one diagnostic report (a record).
type Report struct {
	Time        time.Time `json:"isodate,omitzero"`
	BugType     string    `json:"bug_type,omitempty"`
	Kind        string    `json:"kind"` // crash, jetsam, stackshot, panic or diagnostic
	Name        string    `json:"name,omitempty"`
	BundleID    string    `json:"bundle_id,omitempty"`
	OSVersion   string    `json:"os_version,omitempty"`
	Incident    string    `json:"incident_id,omitempty"`
	Process     string    `json:"process,omitempty"`
	PID         int       `json:"pid,omitempty"`
	Path        string    `json:"path,omitempty"`
	Parent      string    `json:"parent,omitempty"`
	Responsible string    `json:"responsible,omitempty"`
	KilledBy    string    `json:"killed_by,omitempty"`
	Coalition   string    `json:"coalition,omitempty"`
	Exception   string    `json:"exception,omitempty"`
	// Processes are the names a JetsamEvent or a stackshot lists; Images
	// the paths of the libraries a crashed process had loaded.
	Processes []string `json:"processes,omitempty"`
	Images    []string `json:"images,omitempty"`

	listed map[string]bool // Processes, to keep them distinct
}

// ErrNotReport means the file has neither an .ips header nor a body
// spyscan understands.
var ErrNotReport = errors.New("not a crash or diagnostic report (no JSON header, no JSON or text body)")

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachFile(ctx, in, rec, Spec, maxFile, func(p string, data []byte) error {
		r, err := Parse(data)
		if err != nil {
			return err
		}
		check(rec, p, r)
		return nil
	})
}

// Parse reads one report.
func Parse(data []byte) (Report, error) {
	var r Report
	first, body, _ := bytes.Cut(data, []byte("\n"))
	hdr := map[string]any{}
	if json.Unmarshal(bytes.TrimSpace(first), &hdr) == nil && len(hdr) > 0 {
		r.header(hdr)
	} else {
		body = data // a .crash report without a header
	}
	body = bytes.TrimSpace(body)
	switch {
	case len(body) > 0 && body[0] == '{':
		if err := r.jsonBodies(body); err != nil {
			if r.BugType == "" {
				return r, ErrNotReport
			}
			return r, err // a header, then a broken body: the report is not fully read
		}
	case len(body) > 0:
		if !r.textBody(body) && r.BugType == "" {
			return r, ErrNotReport
		}
	case r.BugType == "":
		return r, ErrNotReport
	}
	r.Kind = kind(r.BugType)
	return r, nil
}

// kind names the bug types whose meaning is documented.
func kind(bugType string) string {
	switch bugType {
	case "109", "309":
		return "crash"
	case "298":
		return "jetsam"
	case "288":
		return "stackshot"
	case "210":
		return "panic"
	}
	return "diagnostic"
}

func (r *Report) header(h map[string]any) {
	r.BugType = str(h["bug_type"])
	r.Time = parseTime(str(h["timestamp"]))
	r.Name = str(h["app_name"])
	if r.Name == "" {
		r.Name = str(h["name"])
	}
	r.BundleID = str(h["bundleID"])
	r.OSVersion = str(h["os_version"])
	r.Incident = str(h["incident_id"])
}

// jsonBodies reads the body: one JSON object, or (analytics logs) one
// object per line, whose process names are added to the first's.
func (r *Report) jsonBodies(body []byte) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	for n := 0; ; n++ {
		var m map[string]any
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) && n > 0 {
			return nil
		}
		if err != nil {
			return err
		}
		if n == 0 {
			r.jsonBody(m)
		} else {
			r.addProcess(str(m["procName"]))
		}
	}
}

func (r *Report) jsonBody(m map[string]any) {
	r.Process = str(m["procName"])
	r.Path = str(m["procPath"])
	if pid, ok := m["pid"].(float64); ok {
		r.PID = int(pid)
	}
	r.Parent = str(m["parentProc"])
	r.Responsible = str(m["responsibleProc"])
	r.Coalition = str(m["coalitionName"])
	if t := parseTime(str(m["captureTime"])); !t.IsZero() {
		r.Time = t
	}
	if term, ok := m["termination"].(map[string]any); ok {
		r.KilledBy = str(term["byProc"])
	}
	if ex, ok := m["exception"].(map[string]any); ok {
		r.Exception = strings.TrimSpace(str(ex["type"]) + " " + str(ex["signal"]))
	}
	for _, im := range list(m["usedImages"]) {
		if p := str(obj(im)["path"]); p != "" && len(r.Images) < maxNames {
			r.Images = append(r.Images, p)
		}
	}
	r.addProcess(str(m["largestProcess"])) // JetsamEvent
	for _, p := range list(m["processes"]) {
		r.addProcess(str(obj(p)["name"]))
	}
	if byPid, ok := m["processByPid"].(map[string]any); ok { // stackshot
		for _, k := range iosmod.SortedKeys(byPid) {
			r.addProcess(str(obj(byPid[k])["procname"]))
		}
	}
}

// addProcess lists a process name once.
func (r *Report) addProcess(name string) {
	if name == "" || r.listed[name] || len(r.Processes) >= maxNames {
		return
	}
	if r.listed == nil {
		r.listed = map[string]bool{}
	}
	r.listed[name] = true
	r.Processes = append(r.Processes, name)
}

// textBody reads the "Key: value" lines of a text report and the paths of
// its "Binary Images:" section; false when it found none of them.
func (r *Report) textBody(b []byte) bool {
	found, images := false, false
	for line := range strings.SplitSeq(string(b), "\n") {
		line = strings.TrimRight(line, "\r")
		if images {
			if strings.TrimSpace(line) == "" {
				images = false
			} else if i := strings.LastIndex(line, " /"); i >= 0 && len(r.Images) < maxNames {
				r.Images = append(r.Images, strings.TrimSpace(line[i:]))
			}
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		val = strings.TrimSpace(val)
		switch strings.TrimSpace(key) {
		case "Process":
			r.Process, r.PID = nameAndPID(val)
		case "Path":
			r.Path = val
		case "Parent Process":
			r.Parent, _ = nameAndPID(val)
		case "Responsible", "Responsible Process":
			r.Responsible, _ = nameAndPID(val)
		case "Command":
			if r.Process == "" {
				r.Process = val
			}
		case "Exception Type":
			r.Exception = val
		case "Incident Identifier":
			r.Incident = val
		case "Date/Time":
			if t := parseTime(val); !t.IsZero() {
				r.Time = t
			}
		case "Binary Images":
			images = true
		default:
			continue
		}
		found = true
	}
	return found
}

// nameAndPID splits "bh [1234]".
func nameAndPID(v string) (string, int) {
	if i := strings.LastIndex(v, " ["); i > 0 && strings.HasSuffix(v, "]") {
		pid, _ := strconv.Atoi(v[i+2 : len(v)-1])
		return strings.TrimSpace(v[:i]), pid
	}
	return v, 0
}

// parseTime reads "2023-04-01 12:00:00.00 +0200" (any fraction of a second).
func parseTime(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05 -0700", strings.TrimSpace(s))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return ""
}

func list(v any) []any         { l, _ := v.([]any); return l }
func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }

func check(rec *module.Recorder, artifact string, r Report) {
	rec.Record(r)
	who := r.Process
	if who == "" {
		who = r.Name
	}
	iosmod.Event(rec, r.Time, "crash report", eventMsg(r, who), artifact)
	w := module.Where{Artifact: artifact, Time: r.Time, Label: i18n.M("ios.crash_reports.what_process"), Record: summary(r)}
	hit := false
	names := []string{r.Process, r.Parent, r.Responsible, r.KilledBy}
	if r.Path != "" && path.Base(r.Path) != r.Process {
		names = append(names, path.Base(r.Path))
	}
	for _, n := range append(names, r.Processes...) {
		if n != "" {
			hit = rec.CheckProcess(n, w) || hit
		}
	}
	w.Label = i18n.M("ios.crash_reports.what_bundle")
	for _, id := range []string{r.BundleID, r.Coalition} {
		if id != "" {
			hit = rec.CheckBundleID(id, w) || hit
		}
	}
	w.Label = i18n.M("ios.crash_reports.what_path")
	if r.Path != "" {
		if rec.CheckPath(r.Path, w) {
			hit = true
		} else if folder, level, ok := iosmod.UnusualFolder(r.Path); ok && !hit {
			rec.Flag(level, w, i18n.M("ios.crash_reports.unusual_folder.title", "folder", folder, "exe", r.Path, "kind", r.Kind),
				i18n.M("ios.crash_reports.unusual_folder.reason"), i18n.M("ios.crash_reports.unusual_folder.benign"))
		}
	}
	w.Label = i18n.M("ios.crash_reports.what_image")
	for _, im := range r.Images {
		if im == r.Path { // the process's own executable, checked above
			continue
		}
		if rec.CheckPath(im, w) {
			continue
		}
		if folder, level, ok := iosmod.UnusualFolder(im); ok {
			rec.Flag(level, w, i18n.M("ios.crash_reports.unusual_image.title", "folder", folder, "image", im, "process", who),
				i18n.M("ios.crash_reports.unusual_folder.reason"), i18n.M("ios.crash_reports.unusual_image.benign"))
		}
	}
}

// eventMsg describes a report on the timeline: the process it is about,
// else how many processes it lists.
func eventMsg(r Report, who string) i18n.Msg {
	switch {
	case who != "":
		return i18n.M("ios.crash_reports.event", "kind", r.Kind, "process", who)
	case len(r.Processes) > 0:
		return i18n.M("ios.crash_reports.event_list", "kind", r.Kind, "n", len(r.Processes))
	}
	return i18n.M("ios.crash_reports.event_bare", "kind", r.Kind)
}

// summary is what an alert carries of a report: its lists of names and
// images can hold hundreds of entries.
func summary(r Report) Report {
	r.Processes, r.Images = nil, nil
	return r
}
