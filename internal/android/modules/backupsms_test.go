package modules_test

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/backupsms"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

func files(prefix string) map[string][]byte {
	m := map[string][]byte{}
	for _, f := range androidgen.BackupContents() {
		m[prefix+f.Path] = f.Data
	}
	return m
}

func TestBackupSMSGolden(t *testing.T) {
	cases := []modtest.Case{
		{Name: "backup", Kind: acquisition.AndroidBackup, FS: modtest.FS(files(""))},
		{Name: "androidqf", Kind: acquisition.AndroidQF, FS: modtest.FS(files("backup/"))},
	}
	modtest.GoldenCases(t, backupsms.New(), cases, func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.PegasusDomain) {
			t.Errorf("planted Pegasus link not found: %+v", res.Alerts)
		}
		modtest.NoAlertMentions(t, res, androiddata.LookalikeDomain)
		modtest.NoAlertMentions(t, res, "downloads-free247.com")
		if res.Seen != 4 || len(res.Timeline) != 4 || len(res.Errors) != 0 {
			t.Errorf("seen %d, events %d, errors %v", res.Seen, len(res.Timeline), res.Errors)
		}
	})
}

func TestBackupSMSNotFound(t *testing.T) {
	_, err := modtest.Run(t, backupsms.New(), acquisition.AndroidQF, map[string][]byte{"getprop.txt": nil})
	if !errors.Is(err, module.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func TestBackupSMSBadFiles(t *testing.T) {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(`[{"address":"1","body":"ok https://` + androiddata.PegasusDomain + `","date":"1"}, {"address": 12`))
	zw.Close()
	fs := files("")
	fs[androidgen.SMSBackupPath] = z.Bytes() // malformed after one message
	fs["apps/com.android.providers.telephony/d_f/000002_sms_backup"] = []byte("not zlib")
	res, err := modtest.Run(t, backupsms.New(), acquisition.AndroidBackup, fs)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 2 || !strings.Contains(res.Errors[0].Error, "000000_sms_backup") || !strings.Contains(res.Errors[1].Error, "000002_sms_backup") {
		t.Fatalf("errors %+v", res.Errors)
	}
	if !modtest.HasAlert(res, model.Critical, true, androiddata.PegasusDomain) {
		t.Error("message before the cut not checked")
	}
	if res.Seen != 2 { // one before the cut + the MMS
		t.Errorf("seen %d", res.Seen)
	}
}

func TestBackupSMSLinks(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"see https://a.com/x, then http://b.org.", []string{"https://a.com/x", "http://b.org"}},
		{"(www.c.net/p) and HTTPS://D.COM", []string{"www.c.net/p", "HTTPS://D.COM"}},
		{"dup https://a.com https://a.com", []string{"https://a.com"}},
		{"none here a.com", nil},
	} {
		if got := backupsms.Links(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%q: got %q want %q", tc.in, got, tc.want)
		}
	}
}

// TestBackupSMSMVTKeys wants every key of MVT's SMS records (the backup
// entry's fields, mms_body as body, isodate as timestamp) in the records,
// the entry's fields with their JSON values as they are.
func TestBackupSMSMVTKeys(t *testing.T) {
	res, err := modtest.Run(t, backupsms.New(), acquisition.AndroidBackup, files(""))
	if err != nil {
		t.Fatal(err)
	}
	modtest.WantMVTKeys(t, res, func(m map[string]any) bool { return m["kind"] == "sms" },
		[]string{"address", "body", "date", "date_sent", "status", "type", "recipients", "read", "isodate", "direction", "links"},
		map[string]string{"isodate": "timestamp"})
	modtest.WantMVTKeys(t, res, func(m map[string]any) bool { return m["kind"] == "mms" },
		[]string{"date", "date_sent", "m_type", "v", "msg_box", "recipients", "tr_id", "read", "mms_addresses", "mms_charset", "body",
			"isodate", "direction", "links"}, map[string]string{"isodate": "timestamp"})
	var mms map[string]any
	for _, r := range res.Records {
		if strings.Contains(string(r), `"kind":"mms"`) {
			if err := json.Unmarshal(r, &mms); err != nil {
				t.Fatal(err)
			}
		}
	}
	if mms["mms_charset"] != 106.0 || mms["tr_id"] != "tr-1" || mms["mms_addresses"].([]any)[0].(map[string]any)["type"] != 137.0 || mms["mms_body"] != nil {
		t.Errorf("MMS record %v", mms)
	}
}
