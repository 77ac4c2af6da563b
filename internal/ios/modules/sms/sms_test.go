package sms_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/sms"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestMessages(t *testing.T) {
	modtest.GoldenLayouts(t, sms.New(), iosdata.SMS(0), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.QuaDreamDomain)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.TriangulationMail)
		modtest.WantAlert(t, res, model.High, false, "Apple threat notification")
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain2)
		modtest.NoAlertMentions(t, res, "not a real alert")
		if res.Seen != 6 || len(res.Timeline) != 6 || len(res.Alerts) != 4 {
			t.Errorf("seen %d, events %d, alerts %d", res.Seen, len(res.Timeline), len(res.Alerts))
		}
	})
}

func TestAttachments(t *testing.T) {
	modtest.GoldenLayouts(t, sms.NewAttachments(), iosdata.SMS(0), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Medium, false, "Attachment.gif-1")
		modtest.NoAlertMentions(t, res, "outgoing-1") // sent, not received
		modtest.NoAlertMentions(t, res, "IMG_0042")
		if res.Seen != 3 || len(res.Alerts) != 1 {
			t.Errorf("seen %d, alerts %d", res.Seen, len(res.Alerts))
		}
		if !strings.Contains(string(res.Records[0]), iosdata.TriangulationMail) {
			t.Errorf("attachment not joined to its sender: %s", res.Records[0])
		}
	})
}

func TestNotFound(t *testing.T) {
	for _, m := range []module.Module{sms.New(), sms.NewAttachments()} {
		_, err := modtest.Run(t, m, acquisition.IOSBackup, fstest.MapFS{"HomeDomain/Library/x": {}})
		if !errors.Is(err, module.ErrNotFound) {
			t.Errorf("%s: got %v", m.Name(), err)
		}
	}
}

func TestCorrupt(t *testing.T) {
	f := iosdata.SMS(300)[0]
	fs := fstest.MapFS{f.Path: {Data: iosdata.Corrupt(f.Data)}}
	for _, m := range []module.Module{sms.New(), sms.NewAttachments()} {
		res, err := modtest.Run(t, m, acquisition.IOSFilesystem, fs)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Error, "sms.db") {
			t.Errorf("%s: want an error naming sms.db, got %+v", m.Name(), res.Errors)
		}
	}
}

// An older schema without some columns and without the attachment tables.
func TestSchemaDrift(t *testing.T) {
	old := []string{
		`CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL, uncanonicalized_id TEXT)`,
		`CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, handle_id INTEGER DEFAULT 0, service TEXT, account TEXT, date INTEGER, date_read INTEGER, date_delivered INTEGER, is_delivered INTEGER, is_finished INTEGER, is_from_me INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0)`,
	}
	files := iosdata.SMSFrom(iosdata.SMSMessages(), nil, 0, old)
	res, err := modtest.Run(t, sms.New(), acquisition.IOSBackup, modtest.BackupFS(files))
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "cache_has_attachments") {
		t.Errorf("notes %q", res.Notes)
	}
	res, err = modtest.Run(t, sms.NewAttachments(), acquisition.IOSBackup, modtest.BackupFS(files))
	if err != nil || res.Seen != 0 || len(res.Notes) == 0 {
		t.Errorf("attachments on old schema: %v seen %d notes %q", err, res.Seen, res.Notes)
	}
}
