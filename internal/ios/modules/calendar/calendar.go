// Package calendar owns Calendar.sqlitedb: events and their participants.
// Participant emails are checked against the indicators, and invitations
// titled "Meeting" with the notes "Notes" are flagged: QuaDream's
// KingSpawn delivered its exploit through such invitations.
package calendar

import (
	"context"
	"strings"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/artifact"
	"github.com/spyscan/spyscan/internal/ios/iosmod"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Spec locates the calendar database.
var Spec = artifact.Spec{
	Backup: []string{"HomeDomain/Library/Calendar/Calendar.sqlitedb"},
	Dump:   []string{"private/var/mobile/Library/Calendar/Calendar.sqlitedb"},
}

// Module reads calendar events.
type Module struct{ module.Base }

// New returns the module.
func New() Module { return Module{module.NewBase("calendar", 2, Spec)} }

// Participant is one attendee or organiser.
type Participant struct {
	ID           int64  `json:"id"`
	UUID         string `json:"uuid,omitempty"`
	Email        string `json:"email,omitempty"`
	Phone        string `json:"phone,omitempty"`
	Comment      string `json:"comment,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
}

// Event is one calendar item with its organiser.
type Event struct {
	ID           int64        `json:"id"`
	Summary      string       `json:"summary"`
	Description  string       `json:"description"`
	Start        string       `json:"start_date,omitempty"`
	End          string       `json:"end_date,omitempty"`
	AllDay       bool         `json:"all_day"`
	URL          string       `json:"url"`
	UUID         string       `json:"uuid,omitempty"`
	UniqueID     string       `json:"unique_identifier"`
	Hidden       bool         `json:"hidden"`
	Created      string       `json:"creation_date,omitempty"`
	LastModified string       `json:"last_modified,omitempty"`
	Organizer    *Participant `json:"organizer,omitempty"`
	DB           string       `json:"db"`
	// MVT's other CalendarItem columns, under MVT's names (nil: NULL).
	CalendarID     any `json:"calendar_id"`
	OrganizerID    any `json:"organizer_id"`
	ExternalID     any `json:"external_id"`
	ExternalModTag any `json:"external_mod_tag"`
	Action         any `json:"action"`
	CreatedByID    any `json:"created_by_id"`
}

// Run reads participants, then events.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	return iosmod.ForEachDB(ctx, in, rec, Spec, func(ctx context.Context, db *sqlitex.DB, p string) error {
		parts := map[int64]*Participant{}
		if err := iosmod.Query(ctx, db, rec, "Participant", []string{"ROWID", "UUID", "email", "phone_number", "comment", "last_modified"}, "ORDER BY ROWID", func(r iosmod.Row) error {
			t := iosmod.AppleTime(r, "last_modified")
			pa := &Participant{ID: r.Int("rowid"), UUID: r.Str("uuid"), Email: strings.TrimPrefix(r.Str("email"), "mailto:"),
				Phone: r.Str("phone_number"), Comment: r.Str("comment"), LastModified: iosmod.ISO(t)}
			parts[pa.ID] = pa
			rec.CheckEmail(pa.Email, module.Where{Artifact: p, Time: t, Label: i18n.M("ios.calendar.what_participant"), Record: pa})
			return nil
		}); err != nil {
			rec.FileError(p, err)
		}
		return iosmod.Query(ctx, db, rec, "CalendarItem",
			[]string{"ROWID", "summary", "description", "start_date", "end_date", "all_day", "organizer_id", "url", "last_modified", "unique_identifier", "hidden", "UUID", "creation_date",
				"?calendar_id", "?external_id", "?external_mod_tag", "?action", "?created_by_id"},
			"ORDER BY ROWID", func(r iosmod.Row) error {
				e := Event{ID: r.Int("rowid"), Summary: r.Str("summary"), Description: r.Str("description"), AllDay: r.Int("all_day") == 1,
					URL: r.Str("url"), UUID: r.Str("uuid"), UniqueID: r.Str("unique_identifier"), Hidden: r.Int("hidden") == 1,
					Organizer: parts[r.Int("organizer_id")], DB: p,
					CalendarID: r.Val("calendar_id"), OrganizerID: r.Val("organizer_id"), ExternalID: r.Val("external_id"),
					ExternalModTag: r.Val("external_mod_tag"), Action: r.Val("action"), CreatedByID: r.Val("created_by_id")}
				times := map[string]time.Time{"start_date": iosmod.AppleTime(r, "start_date"), "end_date": iosmod.AppleTime(r, "end_date"),
					"creation_date": iosmod.AppleTime(r, "creation_date"), "last_modified": iosmod.AppleTime(r, "last_modified")}
				e.Start, e.End = iosmod.ISO(times["start_date"]), iosmod.ISO(times["end_date"])
				e.Created, e.LastModified = iosmod.ISO(times["creation_date"]), iosmod.ISO(times["last_modified"])
				check(rec, e, p, times)
				return nil
			})
	})
}

func check(rec *module.Recorder, e Event, p string, times map[string]time.Time) {
	rec.Record(e)
	by := ""
	if e.Organizer != nil {
		by = e.Organizer.Email
	}
	for _, k := range []string{"creation_date", "start_date", "end_date", "last_modified"} {
		iosmod.Event(rec, times[k], "calendar_"+k, i18n.M("ios.calendar.event", "summary", e.Summary, "notes", e.Description, "by", by), p)
	}
	t := times["creation_date"]
	if t.IsZero() {
		t = times["last_modified"]
	}
	rec.CheckURL(e.URL, module.Where{Artifact: p, Time: t, Label: i18n.M("ios.calendar.what_url"), Record: e})
	if e.Summary == "Meeting" && e.Description == "Notes" {
		rec.Flag(model.High, module.Where{Artifact: p, Time: t, Record: e},
			i18n.M("ios.calendar.quadream.title", "summary", e.Summary, "notes", e.Description, "uuid", e.UUID),
			i18n.M("ios.calendar.quadream.reason"), i18n.M("ios.calendar.quadream.benign"))
	}
}
