package modules_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/sms"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestSMSMessages(t *testing.T) {
	modtest.GoldenLayouts(t, sms.New(), iosdata.SMS(0), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusSubdomain)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.QuaDreamDomain)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.TriangulationMail)
		modtest.WantAlert(t, res, model.High, false, "Apple threat notification")
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
		modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain2)
		modtest.NoAlertMentions(t, res, "not a real alert")
		// links only in attributedBody: one in its words (text NULL), one
		// behind the words "Photos from Saturday"; a look-alike stays clean
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusBodyHost)
		modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusHiddenHost)
		if res.Seen != 9 || len(res.Timeline) != 9 || len(res.Alerts) != 6 || len(res.Errors) != 0 {
			t.Errorf("seen %d, events %d, alerts %d, errors %v", res.Seen, len(res.Timeline), len(res.Alerts), res.Errors)
		}
		// the words of a body-only message are recorded as its text
		var found bool
		for _, r := range res.Records {
			found = found || strings.Contains(string(r), `"text":"Your parcel is held, reschedule: `+iosdata.PegasusBodyURL+`","text_source":"attributedBody"`)
		}
		if !found {
			t.Error("no record with the text of a body-only message")
		}
	})
}

// A damaged attributedBody is reported (the scan is not clean), its bytes
// are kept in the record, and a link readable in them is still checked.
func TestSMSDamagedBody(t *testing.T) {
	body := iosgen.MessageBody("see "+iosdata.PegasusBodyURL+" now", "")
	body = body[:len(body)-40] // cut inside the attributes
	cut := iosgen.MessageBody("hidden", iosdata.PegasusHiddenURL)
	cut = cut[:bytes.Index(cut, []byte(iosdata.PegasusHiddenURL))+len(iosdata.PegasusHiddenURL)+2] // inside the link attribute
	msgs := []iosdata.SMSMessage{
		{Handle: "+41790000009", Service: "iMessage", Text: "see " + iosdata.PegasusBodyURL + " now", Body: body, BodyOnly: true, At: iosdata.At(0)},
		{Handle: "+41790000009", Service: "iMessage", Text: "hidden", Body: cut, BodyOnly: true, At: iosdata.At(time.Minute)},
		{Handle: "+41790000009", Service: "iMessage", Text: "fine", At: iosdata.At(2 * time.Minute)},
	}
	res, err := modtest.Run(t, sms.New(), acquisition.IOSBackup, modtest.BackupFS(iosdata.SMSFrom(msgs, nil, 0, iosdata.SMSSchema)))
	if err != nil {
		t.Fatal(err)
	}
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusBodyHost)
	modtest.WantAlert(t, res, model.Critical, true, iosdata.PegasusHiddenHost)
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "2 message bodies") || !strings.Contains(res.Errors[0].Error, "message 1") {
		t.Errorf("errors %+v", res.Errors)
	}
	if !strings.Contains(string(res.Records[0]), `"attributed_body_error":"typedstream truncated`) || !strings.Contains(string(res.Records[0]), `"attributed_body":"BAtzdHJlYW10eXBlZ`) {
		t.Errorf("record %s", res.Records[0])
	}
}

// Real message bodies written by iOS (the typedstream decoder's samples,
// from crabstep's test suite), stored with text NULL: their words and links
// are read, and links and mailto: addresses are checked.
func TestSMSRealBodies(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join("..", "typedstream", "testdata", "crabstep", name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var msgs []iosdata.SMSMessage
	for i, name := range []string{"URL", "StyledLink", "Email", "AttributedBodyTextOnly", "PhoneNumber"} {
		msgs = append(msgs, iosdata.SMSMessage{Handle: "+41790000010", Service: "iMessage", Text: "x", BodyOnly: true,
			Body: read(name), At: iosdata.At(time.Duration(i) * time.Minute)})
	}
	ix, rejects := match.NewIndex([]match.Indicator{
		{Type: match.Domain, Value: "github.com", Sources: []model.Provenance{{Source: "test", Family: "Test"}}},
		{Type: match.Email, Value: "asdfghjklq@gmail.com", Sources: []model.Provenance{{Source: "test", Family: "Test"}}},
	})
	if len(rejects) > 0 {
		t.Fatal(rejects)
	}
	acq := &acquisition.Acquisition{Kind: acquisition.IOSBackup, FS: modtest.BackupFS(iosdata.SMSFrom(msgs, nil, 0, iosdata.SMSSchema))}
	res, err := modtest.RunAcq(t, sms.New(), acq, ix)
	if err != nil || len(res.Errors) != 0 {
		t.Fatal(err, res.Errors)
	}
	if len(res.Alerts) != 3 {
		t.Errorf("%d alerts", len(res.Alerts))
	}
	for _, want := range []string{`"github.com"`, "asdfghjklq@gmail.com"} {
		modtest.WantAlert(t, res, model.Critical, true, want)
	}
	texts := []string{"https://github.com/ReagentX/Logria", "https://github.com/ReagentX/imessage-exporter/discussions/553",
		"asdfghjklq@gmail.com might work", "Noter test", "What about 0000000000"}
	for i, r := range res.Records {
		if !strings.Contains(string(r), `"text":"`+texts[i]+`","text_source":"attributedBody"`) {
			t.Errorf("record %d: %s", i, r)
		}
	}
}

func TestSMSAttachments(t *testing.T) {
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

func TestSMSNotFound(t *testing.T) {
	for _, m := range []module.Module{sms.New(), sms.NewAttachments()} {
		_, err := modtest.Run(t, m, acquisition.IOSBackup, fstest.MapFS{"HomeDomain/Library/x": {}})
		if !errors.Is(err, module.ErrNotFound) {
			t.Errorf("%s: got %v", m.Name(), err)
		}
	}
}

func TestSMSCorrupt(t *testing.T) {
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
func TestSMSSchemaDrift(t *testing.T) {
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
