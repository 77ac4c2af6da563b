package manifest

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/ios/backup"
	"github.com/spyscan/spyscan/internal/module"
)

// TestEvents: a file's three times make one event each, equal times one
// event named after all of them (in birth, modification, status change
// order), zero times none; every event describes the file.
func TestEvents(t *testing.T) {
	t1, t2, t3 := time.Unix(100, 0).UTC(), time.Unix(200, 0).UTC(), time.Unix(300, 0).UTC()
	var zero time.Time
	tests := []struct {
		birth, mod, change time.Time
		want               []string // "unix-seconds name"
	}{
		{zero, zero, zero, nil},
		{t1, zero, zero, []string{"100 file created"}},
		{zero, t2, zero, []string{"200 file modified"}},
		{zero, zero, t3, []string{"300 file status changed"}},
		{t1, t2, t3, []string{"100 file created", "200 file modified", "300 file status changed"}},
		{t1, t1, t3, []string{"100 file created, modified", "300 file status changed"}},
		{t1, t2, t1, []string{"100 file created, status changed", "200 file modified"}},
		{t1, t2, t2, []string{"100 file created", "200 file modified, status changed"}},
		{t1, t1, t1, []string{"100 file created, modified, status changed"}},
		{zero, t2, t2, []string{"200 file modified, status changed"}},
	}
	for _, tt := range tests {
		rec := module.NewRecorder("manifest", nil, nil)
		r := backup.Record{Domain: "HomeDomain", RelativePath: "Library/x.db", Birth: tt.birth, Modified: tt.mod, StatusChange: tt.change}
		events(rec, &r)
		var got []string
		for _, e := range rec.Result().Timeline {
			got = append(got, fmt.Sprint(e.Time.Unix(), " ", e.Event))
			if e.Description != "HomeDomain/Library/x.db" || e.Artifact != backup.ManifestDB {
				t.Errorf("%v: description %q, artifact %q", tt.want, e.Description, e.Artifact)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("times %v %v %v: events %q, want %q", tt.birth.Unix(), tt.mod.Unix(), tt.change.Unix(), got, tt.want)
		}
	}
}
