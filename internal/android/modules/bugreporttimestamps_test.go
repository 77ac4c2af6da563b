package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/bugreporttimestamps"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
)

func TestBugreportTimestampsGolden(t *testing.T) {
	modtest.GoldenCases(t, bugreporttimestamps.New(), modtest.Cases()[:1], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if len(res.Records) != 10 || len(res.Timeline) != 10 || len(res.Alerts) != 0 { // the FS/ files of the bugreport
			t.Errorf("records %d events %d alerts %d", len(res.Records), len(res.Timeline), len(res.Alerts))
		}
	})
}

func TestBugreportTimestampsNoFS(t *testing.T) {
	if _, err := modtest.Run(t, bugreporttimestamps.New(), acquisition.AndroidBugreport, map[string][]byte{"main_entry.txt": nil}); err == nil {
		t.Fatal("want ErrNotFound")
	}
}
