package modules_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/analytics"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func analyticsDump(t *testing.T) map[string][]byte {
	t.Helper()
	files, err := iosdata.Analytics(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return iosdata.DumpFiles(files)
}

func TestAnalyticsGolden(t *testing.T) {
	res, err := modtest.Run(t, analytics.New(), acquisition.IOSFilesystem, analyticsDump(t))
	if err != nil {
		t.Fatal(err)
	}
	modtest.Golden(t, "analytics.dump", res)
	for _, v := range []string{iosdata.PegasusProcess2, iosdata.PegasusSubdomain2, iosdata.PegasusDomain} {
		if !modtest.HasAlert(res, model.Critical, true, `"`+v+`"`) {
			t.Errorf("planted %s not found", v)
		}
	}
	modtest.NoAlertMentions(t, res, iosdata.LookalikeDomain)
	modtest.NoAlertMentions(t, res, iosdata.LookalikeProcess)
	if res.Seen != 5 || len(res.Timeline) != 5 || len(res.Errors) != 0 || len(res.Notes) != 0 {
		t.Errorf("seen %d, events %d, errors %v, notes %v", res.Seen, len(res.Timeline), res.Errors, res.Notes)
	}
}

func TestAnalyticsCorruptAndDrift(t *testing.T) {
	fs := analyticsDump(t)
	fs[iosdata.AnalyticsTrustPath] = []byte("garbage, not SQLite")
	drift := iosdata.BuildDB([]string{
		"CREATE TABLE hard_failures (id INTEGER PRIMARY KEY AUTOINCREMENT, data BLOB)",
		"INSERT INTO hard_failures(data) VALUES (x'00ff')"}, nil)
	fs["private/var/Keychains/Analytics/drift.db"] = drift
	res, err := modtest.Run(t, analytics.New(), acquisition.IOSFilesystem, fs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, "trust_analytics.db") {
		t.Fatalf("errors %v", res.Errors)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "timestamp") {
		t.Errorf("notes %v", res.Notes)
	}
	var last struct {
		DataError string `json:"data_error"`
	}
	if res.Seen != 4 || json.Unmarshal(res.Records[0], &last) != nil || last.DataError == "" {
		t.Errorf("seen %d, first record %s", res.Seen, res.Records[0])
	}
	if !modtest.HasAlert(res, model.Critical, true, iosdata.PegasusProcess2) {
		t.Error("readable database not checked")
	}
	_, err = modtest.Run(t, analytics.New(), acquisition.IOSFilesystem, map[string][]byte{"private/var/x": nil})
	if !errors.Is(err, module.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func TestAnalyticsLooksLikeHost(t *testing.T) {
	for s, want := range map[string]bool{
		"free247downloads.com": true, "https://a.b/c d": false, "https://a.b/c": true, "a.b:443/x": true,
		"connection reset": false, "18F72": false, "iPhone12,1": false, ".hidden": false, "Apple IST CA 2 - G1": false,
	} {
		if got := analytics.LooksLikeHost(s); got != want {
			t.Errorf("%q: got %v", s, got)
		}
	}
}

func FuzzAnalyticsParseData(f *testing.F) {
	seed := iosdata.Plist(map[string]any{"eventType": "x", "process": iosdata.PegasusProcess,
		"attributes": map[string]any{"hosts": []any{iosdata.PegasusDomain}, "n": 1.5, "d": []byte{1}}})
	f.Add(seed)
	f.Add([]byte("bplist00\xd1\x01\x02Qa\x10\x01\x08\x0b\x0d\x00\x00\x00\x00\x00\x00\x01\x01\x00\x00\x00\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x0f"))
	f.Add([]byte(`<plist><dict><key>process</key><string>bh</string><key>n</key><real>nan</real></dict></plist>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := analytics.ParseData(b)
		if err != nil {
			return
		}
		if _, err := json.Marshal(m); err != nil {
			t.Fatalf("accepted data is not JSON-encodable: %v", err)
		}
	})
}
