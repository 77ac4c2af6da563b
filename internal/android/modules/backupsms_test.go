package modules_test

import (
	"bytes"
	"compress/zlib"
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
