// Package analytics owns the Security framework's analytics databases of
// filesystem dumps (private/var/Keychains/Analytics/*.db): each failure,
// note or event row carries a binary plist of free-form keys in which
// Pegasus process names and domains have been seen. Every string of every
// row is checked as a process name, and those shaped like a host or URL as
// a URL.
package analytics

import (
	"context"
	"fmt"
	"math"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/plistx"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Name is the module's identifier.
const Name = "analytics"

// Spec locates the analytics databases.
var Spec = artifact.Spec{
	Dump: []string{"private/var/Keychains/Analytics/*.db"},
}

// Tables are the tables whose rows hold (timestamp, data plist); all_events
// exists on older iOS versions only, notes on newer ones only.
var Tables = []string{"hard_failures", "soft_failures", "notes", "all_events"}

// maxData bounds the plist of one row.
const maxData = 4 << 20

// Module is the analytics module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, Spec)} }

// Record is one analytics row.
type Record struct {
	Database string         `json:"database"` // file name, e.g. "trust_analytics.db"
	Table    string         `json:"table"`
	ID       int64          `json:"id"`
	Time     time.Time      `json:"timestamp,omitzero"`
	Data     map[string]any `json:"data,omitempty"`
	Error    string         `json:"data_error,omitempty"`
	File     string         `json:"file"`
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		return readDB(ctx, db, p, rec)
	})
}

func readDB(ctx context.Context, db *sqlitex.DB, p string, rec *module.Recorder) error {
	var errs []string
	for _, t := range Tables {
		if !db.HasTable(ctx, t) {
			continue // each iOS version has a subset of the tables
		}
		err := iosmod.Query(ctx, db, rec, t, []string{"id", "timestamp", "data"}, "ORDER BY id", func(row iosmod.Row) error {
			r := Record{Database: path.Base(p), Table: t, ID: row.Int("id"), Time: Time(row.Float("timestamp")), File: p}
			if b := row.Bytes("data"); len(b) > 0 {
				if d, err := ParseData(b); err != nil {
					r.Error = err.Error()
				} else {
					r.Data = d
				}
			}
			report(rec, r)
			return nil
		})
		if err != nil {
			errs = append(errs, err.Error())
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return nil
}

// Time converts an analytics timestamp: seconds since 1970, or milliseconds
// when the value is too large to be seconds.
func Time(v float64) time.Time {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 || v > 1e15 {
		return time.Time{}
	}
	if v > 1e11 {
		return iosmod.ValidTime(model.FromUnixMillis(int64(v)))
	}
	return iosmod.ValidTime(model.FromUnixSeconds(v))
}

// ParseData decodes the plist of one analytics row (a dictionary).
func ParseData(b []byte) (map[string]any, error) {
	if len(b) > maxData {
		return nil, fmt.Errorf("data plist of %d bytes, larger than %d", len(b), maxData)
	}
	var m map[string]any
	if err := plistx.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("data is not a plist dictionary: %w", err)
	}
	if out, ok := iosmod.JSONValue(m).(map[string]any); ok {
		return out, nil
	}
	return nil, fmt.Errorf("data is not a plist dictionary")
}

func report(rec *module.Recorder, r Record) {
	rec.Record(r)
	name, _ := r.Data["eventType"].(string)
	if name == "" {
		name = r.Table
	}
	if !r.Time.IsZero() {
		rec.Event(model.Event{Time: r.Time, Event: r.Database, Artifact: r.File,
			DescriptionMsg: i18n.M("ios.analytics.event", "db", r.Database, "table", r.Table, "row", strconv.FormatInt(int64(r.ID), 10), "name", name)})
	}
	seen := map[string]bool{}
	iosmod.Strings(r.Data, func(s string) {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] || len(s) > 2048 {
			return
		}
		seen[s] = true
		w := module.Where{Artifact: r.File, Time: r.Time, Label: i18n.M("ios.analytics.what_string"), Record: r}
		if !strings.ContainsAny(s, " \t\n") {
			rec.CheckProcess(s, w)
		}
		if LooksLikeHost(s) {
			rec.CheckURL(s, w)
		}
	})
}

// LooksLikeHost reports whether s may be a URL or a host name: no spaces,
// a dot, and either a scheme or only host/URL characters.
func LooksLikeHost(s string) bool {
	if strings.ContainsAny(s, " \t\n\"<>{}|\\^`") || !strings.Contains(s, ".") {
		return false
	}
	if strings.Contains(s, "://") {
		return true
	}
	host, _, _ := strings.Cut(s, "/")
	if strings.HasPrefix(host, ".") || strings.HasSuffix(host, ".") {
		return false
	}
	for _, c := range host {
		if !(c == '.' || c == '-' || c == ':' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
