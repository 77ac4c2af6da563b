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
	maxFile = 32 << 20 // stackshots reach a few MB
	// MaxNames bounds the names and paths kept from one report.
	MaxNames = 100000
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
	var h header
	if first = bytes.TrimSpace(first); len(first) > 0 && first[0] == '{' && decode(first, &h) == nil &&
		(h.BugType != "" || len(bytes.TrimSpace(body)) > 0) {
		r.header(h)
	} else {
		body = data // a .crash report without a header, or a body alone
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

// loose is a JSON string or number as text; any other JSON value is left
// empty rather than failing the report.
type loose string

// UnmarshalJSON implements json.Unmarshaler.
func (l *loose) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			*l = loose(s)
		}
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*l = loose(b)
	}
	return nil
}

// header is the first line of an .ips file.
type header struct {
	BugType    loose `json:"bug_type"`
	Timestamp  loose `json:"timestamp"`
	AppName    loose `json:"app_name"`
	Name       loose `json:"name"`
	BundleID   loose `json:"bundleID"`
	OSVersion  loose `json:"os_version"`
	IncidentID loose `json:"incident_id"`
}

// body holds the fields read from a JSON body. Decoding into it skips
// every other field without keeping it, so a large stackshot costs little
// memory.
type body struct {
	ProcName        loose `json:"procName"`
	ProcPath        loose `json:"procPath"`
	PID             loose `json:"pid"`
	ParentProc      loose `json:"parentProc"`
	ResponsibleProc loose `json:"responsibleProc"`
	CoalitionName   loose `json:"coalitionName"`
	CaptureTime     loose `json:"captureTime"`
	LargestProcess  loose `json:"largestProcess"`
	Termination     struct {
		ByProc loose `json:"byProc"`
	} `json:"termination"`
	Exception struct {
		Type   loose `json:"type"`
		Signal loose `json:"signal"`
	} `json:"exception"`
	UsedImages []struct {
		Path loose `json:"path"`
	} `json:"usedImages"`
	Processes []struct {
		Name loose `json:"name"`
	} `json:"processes"`
	ProcessByPid map[string]struct {
		ProcName loose `json:"procname"`
	} `json:"processByPid"`
}

// decode unmarshals one JSON value; a field of another JSON type than
// expected is left empty (the rest is still read), a syntax error fails.
func decode(b []byte, v any) error {
	var te *json.UnmarshalTypeError
	if err := json.Unmarshal(b, v); err != nil && !errors.As(err, &te) {
		return err
	}
	return nil
}

func (r *Report) header(h header) {
	r.BugType = string(h.BugType)
	r.Time = parseTime(string(h.Timestamp))
	r.Name = string(h.AppName)
	if r.Name == "" {
		r.Name = string(h.Name)
	}
	r.BundleID = string(h.BundleID)
	r.OSVersion = string(h.OSVersion)
	r.Incident = string(h.IncidentID)
}

// jsonBodies reads the body: one JSON object, or (analytics logs) one
// object per line, whose process names are added to the first's.
func (r *Report) jsonBodies(data []byte) error {
	var one body
	if decode(data, &one) == nil { // the usual case, read in place
		r.jsonBody(&one)
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for n := 0; ; n++ {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) && n > 0 {
			return nil
		}
		if err != nil {
			return err
		}
		if len(raw) == 0 || raw[0] != '{' {
			return ErrNotReport
		}
		var b body
		if err := decode(raw, &b); err != nil {
			return err
		}
		if n == 0 {
			r.jsonBody(&b)
		} else {
			r.addProcess(string(b.ProcName))
		}
	}
}

func (r *Report) jsonBody(b *body) {
	r.Process = string(b.ProcName)
	r.Path = string(b.ProcPath)
	r.PID, _ = strconv.Atoi(string(b.PID))
	r.Parent = string(b.ParentProc)
	r.Responsible = string(b.ResponsibleProc)
	r.Coalition = string(b.CoalitionName)
	if t := parseTime(string(b.CaptureTime)); !t.IsZero() {
		r.Time = t
	}
	r.KilledBy = string(b.Termination.ByProc)
	r.Exception = strings.TrimSpace(string(b.Exception.Type) + " " + string(b.Exception.Signal))
	for _, im := range b.UsedImages {
		if im.Path != "" && len(r.Images) < MaxNames {
			r.Images = append(r.Images, string(im.Path))
		}
	}
	r.addProcess(string(b.LargestProcess)) // JetsamEvent
	for _, p := range b.Processes {
		r.addProcess(string(p.Name))
	}
	for _, k := range iosmod.SortedKeys(b.ProcessByPid) { // stackshot
		r.addProcess(string(b.ProcessByPid[k].ProcName))
	}
}

// addProcess lists a process name once.
func (r *Report) addProcess(name string) {
	if name == "" || r.listed[name] || len(r.Processes) >= MaxNames {
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
			} else if i := strings.LastIndex(line, " /"); i >= 0 && len(r.Images) < MaxNames {
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
