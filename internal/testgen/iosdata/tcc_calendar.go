package iosdata

import (
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// TCCSchema is the iOS 14+ TCC.db schema (access table and its neighbours).
var TCCSchema = []string{
	`CREATE TABLE admin (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL)`,
	`CREATE TABLE policies (id INTEGER NOT NULL PRIMARY KEY, bundle_id TEXT NOT NULL, uuid TEXT NOT NULL, display TEXT NOT NULL, UNIQUE (bundle_id, uuid))`,
	`CREATE TABLE access (service TEXT NOT NULL, client TEXT NOT NULL, client_type INTEGER NOT NULL, auth_value INTEGER NOT NULL, auth_reason INTEGER NOT NULL, auth_version INTEGER NOT NULL, csreq BLOB, policy_id INTEGER, indirect_object_identifier_type INTEGER, indirect_object_identifier TEXT NOT NULL DEFAULT 'UNUSED', indirect_object_code_identity BLOB, flags INTEGER, last_modified INTEGER NOT NULL DEFAULT (CAST(strftime('%s','now') AS INTEGER)), PRIMARY KEY (service, client, client_type, indirect_object_identifier), FOREIGN KEY (policy_id) REFERENCES policies(id) ON DELETE CASCADE ON UPDATE CASCADE)`,
}

// TCC returns TCC.db with a Pegasus process granted the microphone from
// /private/var/tmp, a Pegasus process registered as a bundle-id client, a
// stalkerware app with the camera, and clean grants.
func TCC() []iosgen.File {
	row := func(svc, client string, ctype, val, reason int, at time.Time) iosgen.Stmt {
		return iosgen.Ins("access", "service, client, client_type, auth_value, auth_reason, auth_version, last_modified", svc, client, ctype, val, reason, 1, at.Unix())
	}
	db := BuildDB(TCCSchema, []iosgen.Stmt{
		iosgen.Ins("admin", "key, value", "version", 23),
		row("kTCCServiceMicrophone", "/private/var/tmp/"+PegasusProcess2, 1, 2, 4, At(time.Hour)),
		row("kTCCServiceCamera", StalkerwareAppID, 0, 2, 2, At(2*time.Hour)),
		row("kTCCServiceLocation", PegasusBundleProcess, 0, 2, 4, At(150*time.Minute)),
		row("kTCCServiceCamera", "com.apple.camera", 0, 2, 2, At(3*time.Hour)),
		row("kTCCServicePhotos", "com.example.notapspy.app", 0, 3, 2, At(4*time.Hour)),
		row("kTCCServiceMicrophone", "/usr/libexec/"+CleanProcess, 1, 0, 2, At(5*time.Hour)),
	})
	return []iosgen.File{{Domain: "HomeDomain", RelativePath: "Library/TCC/TCC.db", Path: "private/var/mobile/Library/TCC/TCC.db", Data: db}}
}

// CalendarSchema holds the CalendarItem and Participant columns iOS 14 has
// and the modules read.
var CalendarSchema = []string{
	`CREATE TABLE Participant (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, entity_type INTEGER, type INTEGER, status INTEGER, pending_status INTEGER, role INTEGER, identity_id INTEGER, owner_id INTEGER, external_rep BLOB, UUID TEXT, email TEXT, phone_number TEXT, is_self INTEGER, comment TEXT, schedule_agent INTEGER, flags INTEGER, last_modified REAL, proposed_start_date REAL, invited_by TEXT, proposed_start_date_status INTEGER, comment_last_modified REAL)`,
	`CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, summary TEXT, location_id INTEGER, client_location_id INTEGER, description TEXT, start_date REAL, start_tz TEXT, end_date REAL, end_tz TEXT, all_day INTEGER, calendar_id INTEGER, orig_item_id INTEGER, orig_date REAL, organizer_id INTEGER, self_attendee_id INTEGER, status INTEGER, invitation_status INTEGER, availability INTEGER, privacy_level INTEGER, url TEXT, last_modified REAL, sequence_num INTEGER, birthday_id INTEGER, modified_properties INTEGER, external_tracking_status INTEGER, external_id TEXT, external_mod_tag TEXT, unique_identifier TEXT, external_schedule_id TEXT, external_rep BLOB, response_comment TEXT, last_synced_response_comment TEXT, hidden INTEGER, has_recurrences INTEGER, has_attendees INTEGER, UUID TEXT, entity_type INTEGER, priority INTEGER, due_date REAL, due_tz TEXT, due_all_day INTEGER, completion_date REAL, creation_date REAL, action TEXT, display_order INTEGER, created_by_id INTEGER, modified_by_id INTEGER)`,
}

// Calendar returns Calendar.sqlitedb with a QuaDream-style invitation
// ("Meeting"/"Notes"), an invitation organised by a Triangulation address,
// and clean events.
func Calendar() []iosgen.File {
	part := func(id int, uuid, email string, at time.Time) iosgen.Stmt {
		return iosgen.Ins("Participant", "ROWID, entity_type, type, status, role, UUID, email, is_self, last_modified", id, 7, 1, 0, 0, uuid, email, 0, AppleSec(at))
	}
	item := func(id int, summary, desc string, org int, uuid string, at time.Time) iosgen.Stmt {
		return iosgen.Ins("CalendarItem", "ROWID, summary, description, start_date, end_date, all_day, calendar_id, organizer_id, last_modified, hidden, UUID, creation_date, unique_identifier",
			id, summary, desc, AppleSec(at.Add(24*time.Hour)), AppleSec(at.Add(25*time.Hour)), 0, 1, org, AppleSec(at), 0, uuid, AppleSec(at), uuid+"@example")
	}
	db := BuildDB(CalendarSchema, []iosgen.Stmt{
		part(1, "6F1D-P1", "organiser@example.org", At(0)),
		part(2, "6F1D-P2", TriangulationMail, At(time.Hour)),
		part(3, "6F1D-P3", LookalikeMail, At(2*time.Hour)),
		item(1, "Meeting", "Notes", 1, "A9C3E2D0-0000-4000-8000-000000000001", At(30*time.Minute)),
		item(2, "Project sync", "Agenda attached", 2, "A9C3E2D0-0000-4000-8000-000000000002", At(time.Hour)),
		item(3, "Meeting", "Bring the notes", 3, "A9C3E2D0-0000-4000-8000-000000000003", At(2*time.Hour)),
		item(4, "Dentist", "", 0, "A9C3E2D0-0000-4000-8000-000000000004", At(3*time.Hour)),
		// the columns MVT's results also have, on one participant and one event
		{SQL: "UPDATE Participant SET phone_number = '+41790000009', comment = 'will call' WHERE ROWID = 1"},
		{SQL: "UPDATE CalendarItem SET external_id = 'ext-4', external_mod_tag = 'tag-4', action = 'BEGIN', created_by_id = 5 WHERE ROWID = 4"},
	})
	return []iosgen.File{{Domain: "HomeDomain", RelativePath: "Library/Calendar/Calendar.sqlitedb", Path: "private/var/mobile/Library/Calendar/Calendar.sqlitedb", Data: db}}
}
