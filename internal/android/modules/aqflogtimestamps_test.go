package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/aqflogtimestamps"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
)

func TestAQFLogTimestampsGolden(t *testing.T) {
	modtest.GoldenCases(t, aqflogtimestamps.New(), modtest.Cases()[1:], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if len(res.Records) != 2 || len(res.Timeline) != 2 {
			t.Errorf("records %d events %d", len(res.Records), len(res.Timeline))
		}
	})
}

func TestAQFLogTimestampsNoLogs(t *testing.T) {
	if _, err := modtest.Run(t, aqflogtimestamps.New(), acquisition.AndroidQF, map[string][]byte{"getprop.txt": nil}); err == nil {
		t.Fatal("want ErrNotFound")
	}
}
