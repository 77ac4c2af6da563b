package modules_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/datausage"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/sqlitex"
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

// The usage rows are joined to their processes by SQLite when Z_PK is
// ZPROCESS's key (stream), and looked up in memory otherwise (load): both
// give the same result, in a backup and in a dump (where binaries are
// looked for), with a deleted process, a gap, a process without usage, a
// usage row without a process.
func TestStreamedAndLoadedAgree(t *testing.T) {
	rows := append(iosdata.DataUsageRows(iosdata.DataUsageProcs(), iosdata.DataUsageLive, 0),
		iosgen.Ins("ZLIVEUSAGE", "Z_PK, ZHASPROCESS, ZTIMESTAMP, ZWWANIN", 100000, nil, 700000000.0, 5.0))
	unkeyed := slices.Clone(iosdata.DataUsageSchema)
	unkeyed[1] = strings.Replace(unkeyed[1], "Z_PK INTEGER PRIMARY KEY", "Z_PK INTEGER", 1)
	dbs := map[bool][]byte{true: iosdata.BuildDB(iosdata.DataUsageSchema, rows), false: iosdata.BuildDB(unkeyed, rows)}
	bin := "System/Library/PrivateFrameworks/AccountsDaemon.framework/Support/" + iosdata.CleanProcess
	for _, kind := range []acquisition.Kind{acquisition.IOSBackup, acquisition.IOSFilesystem} {
		var results [][]byte
		for _, join := range []bool{true, false} {
			sdb, err := sqlitex.Open(context.Background(), fstest.MapFS{"d.db": {Data: dbs[join]}}, "d.db", t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			got := sdb.IntegerKey(context.Background(), "ZPROCESS", "Z_PK") // what chooses the join
			sdb.Close()
			if got != join {
				t.Fatalf("Z_PK is the key: %v, want %v", got, join)
			}
			files := fstest.MapFS{"WirelessDomain/Library/Databases/DataUsage.sqlite": {Data: dbs[join]}}
			if kind == acquisition.IOSFilesystem {
				files = fstest.MapFS{"private/var/wireless/Library/Databases/DataUsage.sqlite": {Data: dbs[join]}, bin: {Data: []byte("\xcf\xfa\xed\xfe")}}
			}
			res, err := modtest.Run(t, datausage.NewDataUsage(), kind, files)
			if err != nil || len(res.Errors) > 0 {
				t.Fatal(kind, join, err, res.Errors)
			}
			common(t, res)
			if !modtest.HasAlert(res, model.High, false, "process record 0, which was deleted") {
				t.Errorf("%s join=%v: the usage row without a process is not flagged", kind, join)
			}
			b, err := json.Marshal(res)
			if err != nil {
				t.Fatal(err)
			}
			results = append(results, b)
		}
		if !bytes.Equal(results[0], results[1]) {
			t.Errorf("%s: streamed and loaded results differ:\n%s\n%s", kind, results[0], results[1])
		}
	}
}
