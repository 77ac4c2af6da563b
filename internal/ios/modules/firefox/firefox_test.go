package firefox_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modtest"
	"github.com/spyscan/spyscan/internal/ios/modules/firefox"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iossys"
)

func TestGolden(t *testing.T) {
	files, err := iossys.Firefox(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		layout string
		kind   acquisition.Kind
		fs     map[string][]byte
	}{
		{"backup", acquisition.IOSBackup, iossys.BackupFiles(files)},
		{"dump", acquisition.IOSFilesystem, iossys.DumpFiles(files)},
	} {
		for _, m := range []struct {
			mod          firefox.Module
			seen, alerts int
		}{{firefox.History, 6, 2}, {firefox.Favicon, 3, 2}} {
			name := m.mod.Name() + "_" + c.layout
			t.Run(name, func(t *testing.T) {
				res, err := modtest.Run(t, m.mod, c.kind, c.fs)
				if err != nil {
					t.Fatal(err)
				}
				modtest.Golden(t, name, res)
				if !modtest.HasAlert(res, model.Critical, true, iossys.PegasusDomain) {
					t.Error("planted Pegasus URL not found")
				}
				modtest.NoAlertMentions(t, res, iossys.LookalikeDomain)
				if res.Seen != m.seen || len(res.Timeline) != m.seen || len(res.Alerts) != m.alerts || len(res.Errors) != 0 || len(res.Notes) != 0 {
					t.Errorf("seen %d, events %d, alerts %d, errors %v, notes %v", res.Seen, len(res.Timeline), len(res.Alerts), res.Errors, res.Notes)
				}
			})
		}
	}
}

func TestCorruptAndDrift(t *testing.T) {
	ctx := context.Background()
	old, err := iossys.SQLite(ctx,
		"CREATE TABLE history (id INTEGER PRIMARY KEY, url TEXT, title TEXT)",
		"CREATE TABLE visits (id INTEGER PRIMARY KEY, siteID INTEGER, date REAL)",
		"CREATE TABLE favicons (id INTEGER PRIMARY KEY, url TEXT)",
		"INSERT INTO history VALUES (1, 'https://"+iossys.PegasusSubdomain+"/a', 't')",
		"INSERT INTO visits VALUES (1, 1, 1626255000000000)")
	if err != nil {
		t.Fatal(err)
	}
	fs := map[string][]byte{
		"private/var/mobile/Containers/Shared/AppGroup/A/profile.profile/browser.db": []byte("SQLite format 3\x00truncated"),
		"private/var/mobile/Containers/Shared/AppGroup/B/profile.profile/browser.db": old,
	}
	res, err := modtest.Run(t, firefox.History, acquisition.IOSFilesystem, fs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "AppGroup/A/profile.profile/browser.db") {
		t.Fatalf("errors %v", res.Errors)
	}
	if res.Seen != 1 || len(res.Notes) != 2 || !modtest.HasAlert(res, model.Critical, true, iossys.PegasusDomain) {
		t.Errorf("old schema: seen %d, notes %v", res.Seen, res.Notes)
	}
	res, err = modtest.Run(t, firefox.Favicon, acquisition.IOSFilesystem, fs)
	if err != nil || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "favicon_sites") {
		t.Errorf("favicons without favicon_sites: %v %v", err, res.Notes)
	}
	_, err = modtest.Run(t, firefox.History, acquisition.IOSBackup, map[string][]byte{"HomeDomain/x": nil})
	if !errors.Is(err, module.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}
