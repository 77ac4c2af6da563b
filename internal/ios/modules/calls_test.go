package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/calls"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestCallsGolden(t *testing.T) {
	modtest.GoldenLayouts(t, calls.New(), iosdata.Calls(), func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		modtest.WantAlert(t, res, model.Critical, true, iosdata.TriangulationMail)
		if res.Seen != 2 || len(res.Alerts) != 1 || len(res.Timeline) != 2 {
			t.Errorf("seen %d alerts %d events %d", res.Seen, len(res.Alerts), len(res.Timeline))
		}
	})
}

func TestCallsCorrupt(t *testing.T) { modtest.CheckCorrupt(t, calls.New(), iosdata.Calls()) }
