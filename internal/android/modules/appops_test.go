package modules_test

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/modules/appops"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestAppOpsGolden(t *testing.T) {
	modtest.GoldenCases(t, appops.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Error("stalkerware not detected")
		}
		if !modtest.HasAlert(res, model.Medium, false, "\"org.mozilla.firefox\" may install other apps") {
			t.Error("REQUEST_INSTALL_PACKAGES heuristic missing")
		}
		if !modtest.HasAlert(res, model.Medium, false, "\"com.android.shell\" may install other apps") {
			t.Error("shell REQUEST_INSTALL_PACKAGES heuristic missing")
		}
		if modtest.HasAlert(res, model.Info, false, "com.whatsapp") {
			t.Error("clean app alerted")
		}
		if len(res.Records) != 5 || len(res.Timeline) != 5 {
			t.Errorf("records %d events %d", len(res.Records), len(res.Timeline))
		}
	})
}

func TestAppOpsCut(t *testing.T) {
	res := modtest.CutSection(t, appops.New(), "DUMP OF SERVICE appops:", "  Uid u0a1:\n    Package com.a.b:\n      REQUEST_INSTALL_PACKAGES (allow):\n")
	if len(res.Alerts) != 1 {
		t.Errorf("alerts %d", len(res.Alerts))
	}
}

func TestAppOpsModeForms(t *testing.T) {
	var p appops.Parser
	for _, l := range []string{"  Uid u0a1:", "    Package a.b:", "      REQUEST_INSTALL_PACKAGES: mode=deny", "      READ_SMS (allow):"} {
		p.Line(l)
	}
	p.Done()
	if len(p.Packages) != 1 || len(p.Packages[0].Ops) != 2 || p.Packages[0].Ops[0].Mode != "deny" ||
		p.Packages[0].Ops[0].Name != "REQUEST_INSTALL_PACKAGES" || p.Packages[0].Ops[1].Mode != "allow" {
		t.Fatalf("%+v", p.Packages)
	}
}

func FuzzAppOpsParser(f *testing.F) {
	f.Add("  Uid 0:\n    Package a.b:\n      X (allow):\n          Access: [fg-s] 2024-04-02 10:01:30.500 (-1s)\n          Reject: [\n")
	f.Add("  Uid :\n    Package :\n      \n          Access:]x[(\n")
	f.Fuzz(func(t *testing.T, s string) {
		var p appops.Parser
		for _, l := range strings.Split(s, "\n") {
			p.Line(l)
		}
		p.Done()
		if len(p.Packages) > strings.Count(s, "    Package ") {
			t.Fatal(len(p.Packages))
		}
	})
}
