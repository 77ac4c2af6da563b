// Package model owns the result model shared by every acquisition module and
// every report encoder: alert levels, alerts with the indicator they matched,
// timeline events and per-module status. It holds data only; it does no I/O.
package model

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
)

// Level is the severity of an alert. The zero value is INFO.
type Level int

// Alert levels, from least to most severe.
const (
	Info Level = iota
	Low
	Medium
	High
	Critical
)

var levelNames = [...]string{"INFO", "LOW", "MEDIUM", "HIGH", "CRITICAL"}

// String returns the upper-case name of the level, as written in reports.
func (l Level) String() string {
	if l < Info || l > Critical {
		return fmt.Sprintf("LEVEL(%d)", int(l))
	}
	return levelNames[l]
}

// ParseLevel reads a level name, case-insensitively.
func ParseLevel(s string) (Level, error) {
	for i, n := range levelNames {
		if strings.EqualFold(s, n) {
			return Level(i), nil
		}
	}
	return Info, fmt.Errorf("unknown level %q (want one of %s)", s, strings.Join(levelNames[:], ", "))
}

// MarshalText writes the level name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText reads a level name.
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Provenance says where one indicator comes from.
type Provenance struct {
	Source      string   `json:"source"`                 // e.g. "amnesty-investigations"
	File        string   `json:"file"`                   // file inside the source, e.g. "2021-07-18_nso/pegasus.stix2"
	Commit      string   `json:"commit,omitempty"`       // VCS commit the file was read from
	Date        string   `json:"date,omitempty"`         // commit or download date, YYYY-MM-DD
	URL         string   `json:"url,omitempty"`          // where it was downloaded from
	IndicatorID string   `json:"indicator_id,omitempty"` // STIX id of the indicator object
	Pattern     string   `json:"pattern,omitempty"`      // the full STIX pattern
	Family      string   `json:"family,omitempty"`       // malware family name ("" when unknown)
	References  []string `json:"references,omitempty"`   // report links, where known
}

// Match is the indicator an observed value matched.
type Match struct {
	Type      string       `json:"type"`              // indicator type, e.g. "domain", "process", "sha256"
	Observed  string       `json:"observed"`          // the value as seen in the artifact
	Indicator string       `json:"indicator"`         // the indicator value it matched
	How       string       `json:"how,omitempty"`     // "exact", "subdomain", "path-prefix", "truncated-name"...
	Partial   bool         `json:"partial,omitempty"` // one term of an AND pattern matched
	Sources   []Provenance `json:"sources"`
}

// Families returns the distinct malware families of the match, in order.
func (m *Match) Families() []string {
	var out []string
	seen := map[string]bool{}
	for _, p := range m.Sources {
		if p.Family != "" && !seen[p.Family] {
			seen[p.Family] = true
			out = append(out, p.Family)
		}
	}
	return out
}

// Alert is one finding. Indicator hits carry Match; heuristics carry Reason
// and Benign instead.
//
// Every text comes twice: as an i18n.Msg (catalog key and arguments, from
// which a report renders it in its language) and as its English rendering
// (for people and tools reading the JSON). The Recorder fills the English
// from the Msg; an alert read from an older result file may have the
// English only.
type Alert struct {
	Level      Level           `json:"level"`
	Module     string          `json:"module"`
	Message    string          `json:"message"`
	MessageMsg i18n.Msg        `json:"message_i18n,omitzero"`
	Time       time.Time       `json:"event_time,omitzero"` // UTC; zero when the record has no time
	Artifact   string          `json:"artifact"`            // path inside the acquisition
	Record     json.RawMessage `json:"record,omitempty"`    // the record that triggered the alert
	Match      *Match          `json:"match,omitempty"`
	Reason     string          `json:"reason,omitempty"` // heuristics: why this is suspicious
	ReasonMsg  i18n.Msg        `json:"reason_i18n,omitzero"`
	Benign     string          `json:"benign,omitempty"` // heuristics: why this may be benign
	BenignMsg  i18n.Msg        `json:"benign_i18n,omitzero"`
	Input      string          `json:"input,omitempty"` // which scanned input (for multi-input cases)
}

// FillEnglish sets Message, Reason and Benign from their Msg where the Msg
// is set.
func (a *Alert) FillEnglish() {
	setEnglish(&a.Message, a.MessageMsg)
	setEnglish(&a.Reason, a.ReasonMsg)
	setEnglish(&a.Benign, a.BenignMsg)
}

func setEnglish(dst *string, m i18n.Msg) {
	if !m.IsZero() {
		*dst = i18n.English(m)
	}
}

// Event is one line of the timeline. Description is the English rendering
// of DescriptionMsg when that is set (see Alert).
type Event struct {
	Time           time.Time `json:"timestamp"`
	Module         string    `json:"module"`
	Event          string    `json:"event"`
	Description    string    `json:"description"`
	DescriptionMsg i18n.Msg  `json:"description_i18n,omitzero"`
	Artifact       string    `json:"artifact,omitempty"`
	Level          *Level    `json:"alert_level,omitempty"` // set when an alert refers to this event
	Input          string    `json:"input,omitempty"`
}

// FillEnglish sets Description from DescriptionMsg when that is set.
func (e *Event) FillEnglish() { setEnglish(&e.Description, e.DescriptionMsg) }

// FileError is a failure to read one file; the module goes on with the others.
type FileError struct {
	Path  string      `json:"path"`
	Error string      `json:"error"`
	Kind  ProblemKind `json:"kind,omitempty"`
}

// Status of a module run.
type Status string

// Module statuses.
const (
	StatusOK      Status = "ok"      // ran and read its artifact
	StatusPartial Status = "partial" // ran, but some files failed
	StatusEmpty   Status = "empty"   // ran, but found nothing to read
	StatusFailed  Status = "failed"  // could not run
	StatusSkipped Status = "skipped" // does not apply to this input
)

// ModuleResult is everything one module produced for one input.
type ModuleResult struct {
	Module    string            `json:"module"`
	Input     string            `json:"input,omitempty"`
	Status    Status            `json:"status"`
	Reason    string            `json:"reason,omitempty"` // why skipped or failed (English)
	ReasonMsg i18n.Msg          `json:"reason_i18n,omitzero"`
	FailKind  ProblemKind       `json:"fail_kind,omitempty"`  // the kind of a failure
	Seen      int               `json:"records_seen"`         // records read, for the self-test
	Files     []string          `json:"files,omitempty"`      // artifact paths read
	Errors    []FileError       `json:"errors,omitempty"`     // per-file failures
	Notes     []string          `json:"notes,omitempty"`      // remarks such as schema drift (English)
	NotesMsg  []i18n.Msg        `json:"notes_i18n,omitempty"` // the same remarks as messages, when they are
	Records   []json.RawMessage `json:"records,omitempty"`    // parsed records, as JSON
	Alerts    []Alert           `json:"alerts,omitempty"`
	Timeline  []Event           `json:"-"`
}
