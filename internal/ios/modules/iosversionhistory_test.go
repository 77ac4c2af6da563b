package modules_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/iosversionhistory"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestIOSVersionHistoryGolden(t *testing.T) {
	files := iosdata.DumpFiles(iosdata.VersionHistory())
	files["var/db/analyticsd/Analytics-Journal-broken.ips"] = []byte("not json\n")
	res, err := modtest.Run(t, iosversionhistory.New(), acquisition.IOSFilesystem, files)
	if err != nil {
		t.Fatal(err)
	}
	modtest.Golden(t, "iosversionhistory.dump", res)
	if res.Seen != 3 || len(res.Timeline) != 3 || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "Analytics-Journal-broken.ips") {
		t.Fatalf("seen %d, events %d, errors %v", res.Seen, len(res.Timeline), res.Errors)
	}
	if !strings.Contains(string(res.Records[0]), "14.4") || res.Timeline[0].Time.Format("15:04") != "00:00" {
		t.Errorf("not sorted by time or wrong UTC conversion: %s %v", res.Records[0], res.Timeline[0].Time)
	}
}

func TestIOSVersionHistoryNotFound(t *testing.T) {
	_, err := modtest.Run(t, iosversionhistory.New(), acquisition.IOSFilesystem, map[string][]byte{"private/var/x": nil})
	if !errors.Is(err, module.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
	if (iosversionhistory.New()).Applies(acquisition.IOSBackup) {
		t.Error("applies to backups, which have no journals")
	}
}

func TestIOSVersionHistoryParseHeader(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{`{"timestamp":"2021-07-20 02:00:17.31 +0200","os_version":"iPhone OS 14.7 (18G69)"}`, "2021-07-20T00:00:17.31Z", true},
		{`{"timestamp":"2021-07-20 02:00:17 -0000","os_version":"iPhone OS 14.7"}`, "2021-07-20T02:00:17Z", true},
		{`{"timestamp":"2021-07-20","os_version":"iPhone OS 14.7"}`, "", false},
		{`{"timestamp":"2021-07-20 02:00:17.31 +0200"}`, "", false},
		{`[1,2]`, "", false},
	} {
		ts, _, err := iosversionhistory.ParseHeader([]byte(tc.in))
		if (err == nil) != tc.ok || (tc.ok && ts.Format("2006-01-02T15:04:05.999Z07:00") != tc.want) {
			t.Errorf("%s: got %v %v", tc.in, ts, err)
		}
	}
}

func FuzzIOSVersionHistoryParseHeader(f *testing.F) {
	for _, fl := range iosdata.VersionHistory() {
		f.Add(fl.Data)
	}
	f.Add([]byte(`{"timestamp":"9999-99-99 99:99:99 +9999","os_version":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, v, err := iosversionhistory.ParseHeader(b)
		if err == nil && (v == "" || ts.Location() != time.UTC) {
			t.Fatalf("accepted %q without a version or not in UTC", b)
		}
	})
}
