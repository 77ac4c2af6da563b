// Package cachefiles owns the CFNetwork HTTP caches (Cache.db) of apps and
// system services in filesystem dumps: every cached response's URL
// (cfurl_cache_response.request_key) is checked against the indicators and
// becomes a timeline event, as a trace of pages and resources fetched.
package cachefiles

import (
	"context"
	"path"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Name is the module's identifier.
const Name = "cache_files"

// Spec locates the Cache.db files: every one in the dump, as MVT walks for
// them (apps, plug-ins, app groups, system containers, shared caches...).
var Spec = artifact.Spec{
	Dump: []string{"private/var/**/Cache.db"},
}

// Module is the cache files module.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase(Name, 1, Spec)} }

// Record is one cached response.
type Record struct {
	EntryID       int64     `json:"entry_id"`
	Version       int64     `json:"version"`
	HashValue     int64     `json:"hash_value"`
	StoragePolicy int64     `json:"storage_policy"`
	URL           string    `json:"url"`
	Time          time.Time `json:"timestamp,omitzero"`
	Partition     string    `json:"partition,omitempty"`
	Cache         string    `json:"cache"` // the folder holding Cache.db, usually the bundle id
	File          string    `json:"file"`
}

var cols = []string{"entry_ID", "version", "hash_value", "storage_policy", "request_key", "time_stamp", "partition"}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		return readCache(ctx, db, p, rec)
	})
}

const table = "cfurl_cache_response"

func readCache(ctx context.Context, db *sqlitex.DB, p string, rec *module.Recorder) error {
	if have := db.Columns(ctx, table); have != nil && !have["request_key"] {
		rec.Note(i18n.M("ios.note.missing_columns", "db", db.Name, "table", table, "columns", "request_key"))
		return nil // nothing to check without the URL
	}
	cache := path.Base(path.Dir(p))
	return iosmod.Query(ctx, db, rec, table, cols, "ORDER BY entry_ID", func(row iosmod.Row) error {
		r := Record{EntryID: row.Int("entry_id"), Version: row.Int("version"), HashValue: row.Int("hash_value"),
			StoragePolicy: row.Int("storage_policy"), URL: row.Str("request_key"), Time: ParseTime(row.Str("time_stamp")),
			Partition: row.Str("partition"), Cache: cache, File: p}
		rec.Record(r)
		if !r.Time.IsZero() {
			rec.Event(model.Event{Time: r.Time, Event: "cache_response", Artifact: p,
				DescriptionMsg: i18n.M("ios.cache_files.event", "cache", cache, "url", r.URL)})
		}
		rec.CheckURL(r.URL, module.Where{Artifact: p, Time: r.Time, Label: i18n.M("ios.cache_files.what_url"), Record: r})
		return nil
	})
}

// ParseTime parses a cfurl_cache_response.time_stamp ("2006-01-02 15:04:05",
// UTC, as written by SQLite's CURRENT_TIMESTAMP). It returns the zero time
// when the text is not such a date.
func ParseTime(s string) time.Time {
	t, err := time.Parse(time.DateTime, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}
