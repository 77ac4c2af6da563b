// Package misp owns the MISP export of a report: one MISP event (the JSON
// that MISP's "Add event from JSON" and its API accept) with an attribute
// per observed value of an indicator hit, typed as MISP types it, and a
// comment attribute per heuristic alert; tags name the family and the level.
// The event is tagged tlp:red: it describes a person's device. Ids are
// derived from content (UUID version 5), so the same report gives the same
// event.
package misp

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/report/detid"
)

// Tag is a MISP tag.
type Tag struct {
	Name string `json:"name"`
}

// Attribute is a MISP attribute.
type Attribute struct {
	UUID      string `json:"uuid"`
	Type      string `json:"type"`
	Category  string `json:"category"`
	Value     string `json:"value"`
	ToIDS     bool   `json:"to_ids"`
	Comment   string `json:"comment,omitempty"`
	Timestamp string `json:"timestamp"`
	FirstSeen string `json:"first_seen,omitempty"`
	LastSeen  string `json:"last_seen,omitempty"`
	// Distribution 5 inherits the event's.
	Distribution string `json:"distribution"`
	Tag          []Tag  `json:"Tag,omitempty"`
}

// Event is a MISP event.
type Event struct {
	UUID          string      `json:"uuid"`
	Info          string      `json:"info"`
	Date          string      `json:"date"`
	Timestamp     string      `json:"timestamp"`
	ThreatLevelID string      `json:"threat_level_id"` // 1 high, 2 medium, 3 low, 4 undefined
	Analysis      string      `json:"analysis"`        // 0 initial, 1 ongoing, 2 completed
	Distribution  string      `json:"distribution"`    // 0 your organisation only
	Published     bool        `json:"published"`
	Tag           []Tag       `json:"Tag"`
	Attribute     []Attribute `json:"Attribute"`
}

// Document is the top-level JSON object.
type Document struct {
	Event Event `json:"Event"`
}

// Write writes the MISP event of r as indented JSON.
func Write(w io.Writer, r *model.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(Build(r)); err != nil {
		return fmt.Errorf("misp export: %w", err)
	}
	return nil
}

// Build makes the MISP event of r.
func Build(r *model.Report) *Document {
	gen := r.Info.GeneratedAt.UTC()
	ts := strconv.FormatInt(gen.Unix(), 10)
	e := Event{Info: info(r), Date: gen.Format("2006-01-02"), Timestamp: ts, Analysis: "0", Distribution: "0",
		ThreatLevelID: threatLevel(r), Tag: []Tag{{"tlp:red"}, {"spyscan:verdict=\"" + string(r.Verdict) + "\""}}}
	alerts := append([]model.Alert(nil), r.Alerts...)
	model.SortAlerts(alerts)
	// Attribute uuids must be unique across events: they depend on the scan.
	salt := r.Info.Case + "\x00" + r.Info.IndicatorDigest + "\x00" + gen.Format("2006-01-02T15:04:05.000000000Z")
	byKey := map[string]int{}
	var fams []string
	for _, a := range alerts {
		at := attribute(a, ts, salt)
		if i, ok := byKey[at.Type+"\x00"+at.Value]; ok {
			mergeInto(&e.Attribute[i], at)
			continue
		}
		byKey[at.Type+"\x00"+at.Value] = len(e.Attribute)
		e.Attribute = append(e.Attribute, at)
		if a.Match != nil {
			fams = append(fams, a.Match.Families()...)
		}
	}
	if e.Attribute == nil {
		e.Attribute = []Attribute{}
	}
	for _, f := range distinct(fams) {
		e.Tag = append(e.Tag, Tag{familyTag(f)})
	}
	var ids []string
	for _, a := range e.Attribute {
		ids = append(ids, a.UUID)
	}
	e.UUID = detid.Of("misp-event", r.Info.Case, r.Info.IndicatorDigest, gen.Format("2006-01-02T15:04:05Z"), strings.Join(ids, ",")).String()
	return &Document{Event: e}
}

func info(r *model.Report) string {
	var in []string
	for _, i := range r.Info.Inputs {
		in = append(in, i.Kind)
	}
	s := "spyscan " + string(r.Verdict)
	if r.Info.Case != "" {
		s += " — case " + r.Info.Case
	}
	if len(in) > 0 {
		s += " (" + strings.Join(in, ", ") + ")"
	}
	return s
}

func threatLevel(r *model.Report) string {
	switch r.Verdict {
	case model.VerdictDetected:
		return "1"
	case model.VerdictSuspicious:
		return "2"
	default:
		return "4"
	}
}

func familyTag(f string) string { return `spyscan:family="` + strings.ReplaceAll(f, `"`, "'") + `"` }

func levelTag(l model.Level) string { return `spyscan:level="` + strings.ToLower(l.String()) + `"` }

// attribute turns an alert into a MISP attribute.
func attribute(a model.Alert, ts, salt string) Attribute {
	at := Attribute{Timestamp: ts, Distribution: "5", Tag: []Tag{{levelTag(a.Level)}}}
	where := a.Artifact
	if a.Input != "" {
		where = a.Input + ": " + where
	}
	if a.Match == nil {
		at.Type, at.Category, at.Value, at.ToIDS = "comment", "Other", a.Message, false
		at.Comment = strings.TrimSpace(where + " — " + a.Reason)
	} else {
		at.Type, at.Category = mispType(a.Match.Type, a.Match.Observed)
		at.Value, at.ToIDS = a.Match.Observed, true
		at.Comment = fmt.Sprintf("%s (%s, matched %s %q)", where, a.Module, a.Match.Type, a.Match.Indicator)
		for _, f := range a.Match.Families() {
			at.Tag = append(at.Tag, Tag{familyTag(f)})
		}
	}
	if !a.Time.IsZero() {
		at.FirstSeen = a.Time.UTC().Format("2006-01-02T15:04:05.000000Z")
		at.LastSeen = at.FirstSeen
	}
	at.UUID = detid.Of("misp-attribute", salt, at.Type, at.Value).String()
	return at
}

// mergeInto folds a second sighting of the same value into the attribute.
func mergeInto(dst *Attribute, src Attribute) {
	if src.FirstSeen != "" && (dst.FirstSeen == "" || src.FirstSeen < dst.FirstSeen) {
		dst.FirstSeen = src.FirstSeen
	}
	if src.LastSeen > dst.LastSeen {
		dst.LastSeen = src.LastSeen
	}
	for _, t := range src.Tag {
		if !hasTag(dst.Tag, t.Name) {
			dst.Tag = append(dst.Tag, t)
		}
	}
	if !strings.Contains(dst.Comment, src.Comment) {
		dst.Comment += "; " + src.Comment
	}
}

func hasTag(ts []Tag, n string) bool {
	for _, t := range ts {
		if t.Name == n {
			return true
		}
	}
	return false
}

// mispType maps a spyscan indicator type to a MISP attribute type and
// category.
func mispType(t, v string) (string, string) {
	switch t {
	case "domain":
		return "domain", "Network activity"
	case "url":
		return "url", "Network activity"
	case "ip":
		return "ip-dst", "Network activity"
	case "email":
		return "email", "Network activity"
	case "process":
		return "text", "Artifacts dropped" // MISP has no process-name attribute type
	case "file-name", "file-path":
		return "filename", "Artifacts dropped"
	case "sha256", "sha1", "md5":
		switch len(v) {
		case 32:
			return "md5", "Artifacts dropped"
		case 40:
			return "sha1", "Artifacts dropped"
		}
		return "sha256", "Artifacts dropped"
	case "app-id":
		return "mobile-application-id", "Payload installation"
	case "app-cert-sha256", "tls-cert-sha256":
		return "x509-fingerprint-sha256", "Network activity"
	case "app-cert-sha1", "tls-cert-sha1":
		return "x509-fingerprint-sha1", "Network activity"
	case "app-cert-md5":
		return "x509-fingerprint-md5", "Network activity"
	case "ja3":
		return "ja3-fingerprint-md5", "Network activity"
	default: // JA4, profiles, properties
		return "text", "Other"
	}
}

func distinct(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, x := range s {
		if i == 0 || x != s[i-1] {
			out = append(out, x)
		}
	}
	return out
}
