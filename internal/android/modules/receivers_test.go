package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/android/modules/receivers"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestReceiversGolden(t *testing.T) {
	modtest.GoldenCases(t, receivers.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Error("stalkerware receiver not detected")
		}
		if !modtest.HasAlert(res, model.Info, false, "com.google.android.apps.messaging") {
			t.Error("SMS receiver heuristic missing")
		}
		if len(res.Records) != 4 {
			t.Errorf("%d records", len(res.Records))
		}
	})
}

func TestReceiversCut(t *testing.T) {
	modtest.CutSection(t, receivers.New(), "DUMP OF SERVICE package:", "Receiver Resolver Table:\n  Non-Data Actions:\n")
}
