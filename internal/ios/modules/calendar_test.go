package modules_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/calendar"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestCalendarGolden(t *testing.T) {
	modtest.GoldenLayouts(t, calendar.New(), iosdata.Calendar(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.TriangulationMail)
		modtest.WantAlert(t, res, model.High, false, "A9C3E2D0-0000-4000-8000-000000000001")
		modtest.NoAlertMentions(t, res, "000000000003") // "Meeting" with other notes
		if res.Seen != 4 || len(res.Alerts) != 2 {
			t.Errorf("seen %d alerts %d", res.Seen, len(res.Alerts))
		}
	})
}

func TestCalendarDriftAndCorrupt(t *testing.T) {
	db := iosdata.BuildDB([]string{`CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY, summary TEXT, description TEXT, start_date REAL)`},
		[]iosgen.Stmt{iosgen.Ins("CalendarItem", "ROWID, summary, description, start_date", 1, "Meeting", "Notes", 7e8)})
	res, err := modtest.Run(t, calendar.New(), acquisition.IOSBackup, fstest.MapFS{"HomeDomain/Library/Calendar/Calendar.sqlitedb": {Data: db}})
	if err != nil || len(res.Errors) > 0 || len(res.Notes) != 2 {
		t.Fatal(err, res.Errors, res.Notes)
	}
	modtest.WantAlert(t, res, model.High, false, "QuaDream")
	bad := iosdata.Corrupt(iosdata.Calendar()[0].Data)
	res, _ = modtest.Run(t, calendar.New(), acquisition.IOSFilesystem, fstest.MapFS{"private/var/mobile/Library/Calendar/Calendar.sqlitedb": {Data: bad}})
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Error, "Calendar.sqlitedb") {
		t.Errorf("errors %+v", res.Errors)
	}
}
