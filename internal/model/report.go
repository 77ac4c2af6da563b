package model

import "time"

// InputFile is one file of an input, hashed for the chain of custody.
type InputFile struct {
	Path   string `json:"path"` // relative to the input root ("" for a single-file input)
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256,omitempty"` // regular files only
	// Type is set for what is listed but not read: "symlink" (with its
	// Target, never followed), "fifo", "device", "socket", "other", or
	// "unreadable" (the system could not read it; the input has a problem
	// naming it).
	Type   string `json:"type,omitempty"`
	Target string `json:"target,omitempty"`
	// ModTime is the file's modification time on the computer that holds
	// the acquisition (for the files of a folder): usually when it was
	// copied there, not a time of the device.
	ModTime time.Time `json:"modified,omitzero"`
}

// Input is one scanned acquisition.
type Input struct {
	Path  string            `json:"path"`
	Kind  string            `json:"kind"`
	Meta  map[string]string `json:"meta,omitempty"`
	TZ    string            `json:"timezone,omitempty"`
	Files []InputFile       `json:"files"`
	// Spooled, when set, holds the files instead of Files (which is then
	// nil): the scan streamed them to disk; info.json lists them as
	// "files" all the same. Read them with EachFile and FileCount.
	Spooled   FileList    `json:"-"`
	Error     string      `json:"error,omitempty"`      // why the input could not be opened
	ErrorKind ProblemKind `json:"error_kind,omitempty"` // the kind of that failure
	// Problems are the parts of an opened input that could not be read
	// (a corrupt nested archive, an unreadable special file...).
	Problems []Problem `json:"problems,omitempty"`
}

// IndicatorSource summarises one indicator source used by a scan.
type IndicatorSource struct {
	Name       string `json:"name"`
	Kind       string `json:"kind"`
	Origin     string `json:"origin,omitempty"`
	Commit     string `json:"commit,omitempty"`
	Date       string `json:"date,omitempty"`
	Files      int    `json:"files"`
	Indicators int    `json:"indicators"`
}

// Verdict is the one-line outcome a person reads first.
type Verdict string

// Verdicts. Inconclusive wins over Clean whenever the self-test failed.
const (
	VerdictDetected     Verdict = "detected"   // indicator hits (or HIGH+ alerts)
	VerdictSuspicious   Verdict = "suspicious" // heuristic alerts only
	VerdictClean        Verdict = "no-known-traces"
	VerdictInconclusive Verdict = "inconclusive"
)

// ScanInfo is the chain of custody and context of a scan (info.json).
type ScanInfo struct {
	Tool             string            `json:"tool"`
	Version          string            `json:"version"`
	CommandLine      []string          `json:"command_line"` // secrets removed
	Case             string            `json:"case,omitempty"`
	GeneratedAt      time.Time         `json:"generated_at"` // the only field that changes between runs
	IndicatorDigest  string            `json:"indicator_digest"`
	IndicatorSources []IndicatorSource `json:"indicator_sources"`
	IndicatorCount   int               `json:"indicator_count"`
	// IndicatorWarnings name the indicator files (or entries) skipped as
	// unreadable, so a report says which indicators were not checked.
	IndicatorWarnings []string `json:"indicator_warnings,omitempty"`
	// IndicatorProblems are the indicators asked for that could not be
	// used (an unreadable --iocs file, no usable indicator at all): they
	// make the scan inconclusive.
	IndicatorProblems []Problem `json:"indicator_problems,omitempty"`
	// ModuleVersions gives the version of every module that ran, by name.
	ModuleVersions map[string]int `json:"module_versions,omitempty"`
	Inputs         []Input        `json:"inputs"`
	SelfTest       SelfTest       `json:"self_test"`
}

// SelfTest records the checks that make "no traces" trustworthy.
type SelfTest struct {
	CanaryOK bool     `json:"canary_ok"`
	Problems []string `json:"problems,omitempty"` // modules that read nothing, canary failure
}

// Report is everything a scan produced; every encoder reads only this.
type Report struct {
	Info     ScanInfo       `json:"info"`
	Verdict  Verdict        `json:"verdict"`
	Modules  []ModuleResult `json:"modules"`
	Alerts   []Alert        `json:"alerts"`
	Timeline Timeline       `json:"-"` // merged and sorted; see EachEvent
}

// StaleIndicators is the age from which the indicators a scan used are
// called out of date: new spyware infrastructure is published every few
// weeks, and `spyscan iocs update` fetches it.
const StaleIndicators = 90 * 24 * time.Hour

// IndicatorDate is the date of the newest indicator source the scan used
// (YYYY-MM-DD), "" when no source has a date.
func (i *ScanInfo) IndicatorDate() string {
	newest := ""
	for _, s := range i.IndicatorSources {
		if len(s.Date) >= 10 && s.Date[:10] > newest {
			newest = s.Date[:10]
		}
	}
	return newest
}

// IndicatorAge is how old the newest indicators were at time now; ok is
// false when no source has a readable date.
func (i *ScanInfo) IndicatorAge(now time.Time) (age time.Duration, ok bool) {
	d, err := time.Parse("2006-01-02", i.IndicatorDate())
	if err != nil {
		return 0, false
	}
	return now.Sub(d), true
}

// FileList is the files of an input that a scan keeps on disk rather than
// in memory (an iOS backup lists 100,000s of files): Each reads them back,
// in order, any number of times.
type FileList interface {
	// Len is the number of files.
	Len() int
	// Each calls fn with every file in order; the file is only valid
	// during the call. It stops at fn's first error and returns it.
	Each(fn func(*InputFile) error) error
}

// FileCount is the number of files of the input, in memory or spooled.
func (in *Input) FileCount() int {
	if in.Spooled != nil {
		return in.Spooled.Len()
	}
	return len(in.Files)
}

// EachFile calls fn with every file of the input, in order: Files, or
// the spooled list when the scan kept them on disk.
func (in *Input) EachFile(fn func(*InputFile) error) error {
	if in.Spooled != nil {
		return in.Spooled.Each(fn)
	}
	for i := range in.Files {
		if err := fn(&in.Files[i]); err != nil {
			return err
		}
	}
	return nil
}
