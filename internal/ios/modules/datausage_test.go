package modules_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/datausage"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func common(t *testing.T, res model.ModuleResult) {
	modtest.WantAlert(t, res, model.Critical, true, `"bh"`)
	modtest.WantAlert(t, res, model.Critical, true, `"roleaccountd"`)
	modtest.WantAlert(t, res, model.High, false, "process record 7, which was deleted")
	modtest.WantAlert(t, res, model.Low, false, "Process record 4 is missing")
	for _, a := range res.Alerts {
		if (a.Match != nil || strings.Contains(a.Message, "No binary")) && strings.Contains(a.Message, `"`+iosdata.CleanProcess+`"`) {
			t.Errorf("clean process alerted: %s", a.Message)
		}
		if a.Match != nil && strings.Contains(a.Message, "bhd") {
			t.Errorf("look-alike matched: %s", a.Message)
		}
	}
}

func TestDataUsage(t *testing.T) {
	modtest.GoldenLayouts(t, datausage.NewDataUsage(), iosdata.DataUsage(0), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		common(t, res)
		missing := modtest.HasAlert(res, model.Medium, false, `No binary named "bhd"`)
		if missing != (c.Kind == acquisition.IOSFilesystem) {
			t.Errorf("%s: missing-binary alert = %v", c.Name, missing)
		}
		if c.Kind == acquisition.IOSFilesystem && len(res.Alerts) != 7 { // 2 hits, 1 deleted, 1 gap, 3 missing binaries
			t.Errorf("alerts %d", len(res.Alerts))
		}
		if res.Seen != 7 { // 6 usage rows + 1 process without usage
			t.Errorf("seen %d", res.Seen)
		}
	})
}

func TestDataUsageNetUsage(t *testing.T) {
	modtest.GoldenLayouts(t, datausage.NewNetUsage(), iosdata.NetUsage(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		common(t, res)
	})
	if (datausage.NewNetUsage()).Applies(acquisition.IOSBackup) {
		t.Error("netusage is not in backups")
	}
}

func TestDataUsageCorruptAndDrift(t *testing.T) {
	big := iosdata.DataUsageDB(iosdata.DataUsageProcs(), iosdata.DataUsageLive, 3000)
	res, err := modtest.Run(t, datausage.NewDataUsage(), acquisition.IOSBackup, fstest.MapFS{"WirelessDomain/Library/Databases/DataUsage.sqlite": {Data: iosdata.Corrupt(big)}})
	if err != nil || len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Error, "DataUsage.sqlite") {
		t.Errorf("corrupt: %v %+v", err, res.Errors)
	}
	old := iosdata.BuildDB([]string{
		`CREATE TABLE ZLIVEUSAGE (Z_PK INTEGER PRIMARY KEY, ZHASPROCESS INTEGER, ZTIMESTAMP TIMESTAMP, ZWWANIN FLOAT, ZWWANOUT FLOAT)`,
		`CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZFIRSTTIMESTAMP TIMESTAMP, ZTIMESTAMP TIMESTAMP, ZBUNDLENAME VARCHAR, ZPROCNAME VARCHAR)`,
	}, []iosgen.Stmt{
		iosgen.Ins("ZPROCESS", "Z_PK, ZFIRSTTIMESTAMP, ZTIMESTAMP, ZPROCNAME", 1, 700000000.0, 700000100.0, iosdata.PegasusProcess),
		iosgen.Ins("ZLIVEUSAGE", "Z_PK, ZHASPROCESS, ZTIMESTAMP, ZWWANIN, ZWWANOUT", 1, 1, 700000050.0, 1.0, 2.0),
	})
	res, err = modtest.Run(t, datausage.NewDataUsage(), acquisition.IOSBackup, fstest.MapFS{"WirelessDomain/Library/Databases/DataUsage.sqlite": {Data: old}})
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	modtest.WantAlert(t, res, model.Critical, true, `"bh"`)
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "ZWIFIIN") {
		t.Errorf("notes %q", res.Notes)
	}
}
