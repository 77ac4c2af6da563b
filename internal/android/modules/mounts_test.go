package modules_test

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/mounts"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
)

func TestMountsGolden(t *testing.T) {
	modtest.GoldenCases(t, mounts.New(), modtest.Cases()[1:], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.High, false, "System partition /system is mounted read-write") ||
			!modtest.HasAlert(res, model.High, false, "/system/bin/magisk is mounted read-write") {
			t.Errorf("rw system not flagged: %+v", res.Alerts)
		}
		modtest.NoAlertMentions(t, res, "/vendor")
		modtest.NoAlertMentions(t, res, "/data ")
		if len(res.Records) != 7 || len(res.Alerts) != 2 {
			t.Errorf("records %d alerts %d", len(res.Records), len(res.Alerts))
		}
	})
}

func TestMountsMalformed(t *testing.T) {
	res, err := modtest.Run(t, mounts.New(), acquisition.AndroidQF, map[string][]byte{mounts.FileName: []byte(`{"x":1}`)})
	if err != nil || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Error, mounts.FileName) {
		t.Fatalf("err %v %+v", err, res.Errors)
	}
}
