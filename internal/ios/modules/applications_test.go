package modules_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/applications"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestApplicationsGolden(t *testing.T) {
	modtest.GoldenLayouts(t, applications.New(), iosdata.Applications(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, iosdata.PegasusBundleProcess) {
			t.Error("planted Pegasus bundle id not found")
		}
		if !modtest.HasAlert(res, model.Medium, false, "com.example.sideloaded") {
			t.Error("side-loaded app not flagged")
		}
		if !modtest.HasAlert(res, model.High, false, "no bundle id") {
			t.Error("app without bundle id not flagged")
		}
		modtest.NoAlertMentions(t, res, iosdata.LookalikeBundleID)
		modtest.NoAlertMentions(t, res, "WhatsApp")
		modtest.NoAlertMentions(t, res, "Firefox")
		if res.Seen != len(iosdata.Apps) || len(res.Timeline) != len(iosdata.Apps)-1 || len(res.Errors) != 0 || len(res.Alerts) != 3 {
			t.Errorf("seen %d, events %d, alerts %d, errors %v", res.Seen, len(res.Timeline), len(res.Alerts), res.Errors)
		}
	})
}

func TestApplicationsBadFiles(t *testing.T) {
	files := iosdata.Applications()
	fs := iosdata.DumpFiles(files)
	fs["private/var/containers/Bundle/Application/BAD/iTunesMetadata.plist"] = []byte("<?xml garbage")
	res, err := modtest.Run(t, applications.New(), acquisition.IOSFilesystem, fs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "BAD/iTunesMetadata.plist") || res.Seen != len(iosdata.Apps) {
		t.Fatalf("errors %v, seen %d", res.Errors, res.Seen)
	}
	_, err = modtest.Run(t, applications.New(), acquisition.IOSBackup, map[string][]byte{"HomeDomain/x": nil})
	if !errors.Is(err, module.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func FuzzApplicationsParseMetadata(f *testing.F) {
	files := iosdata.Applications()
	for _, fl := range files {
		f.Add(fl.Data)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := applications.ParseMetadata(b)
		if err != nil && r.BundleID != "" {
			t.Fatal("record with an error")
		}
	})
}
