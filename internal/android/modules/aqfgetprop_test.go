package modules_test

import (
	"bytes"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/aqfgetprop"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestAQFGetpropGolden(t *testing.T) {
	modtest.GoldenCases(t, aqfgetprop.New(), modtest.Cases()[1:], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.CampaignProperty) {
			t.Error("campaign property not detected")
		}
		if !modtest.HasAlert(res, model.Medium, false, "security patch 2023-10-05") {
			t.Error("old patch not reported")
		}
		modtest.NoAlertMentions(t, res, androiddata.LookalikeProperty)
	})
}

func TestAQFGetpropRecentPatchAndGarbage(t *testing.T) {
	files := map[string][]byte{aqfgetprop.FileName: []byte("[ro.build.version.security_patch]: [2024-05-01]\n"), "acquisition.json": []byte(`{"started":"2024-05-20T14:03:11Z"}`)}
	res, err := modtest.Run(t, aqfgetprop.New(), acquisition.AndroidQF, files)
	if err != nil || len(res.Alerts) != 0 || len(res.Records) != 1 {
		t.Fatalf("err %v alerts %+v", err, res.Alerts)
	}
	res, err = modtest.Run(t, aqfgetprop.New(), acquisition.AndroidQF, map[string][]byte{aqfgetprop.FileName: {0, 1, 2}})
	if err != nil || len(res.Errors) != 1 {
		t.Fatalf("err %v errors %+v", err, res.Errors)
	}
}

func FuzzAQFGetpropParse(f *testing.F) {
	f.Add(androiddata.Getprop())
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = aqfgetprop.Parse(bytes.NewReader(b)) })
}
