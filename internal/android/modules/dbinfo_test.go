package modules_test

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/modules/dbinfo"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestDBInfoGolden(t *testing.T) {
	modtest.GoldenCases(t, dbinfo.New(), modtest.Cases(), func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) || len(res.Records) != 3 || len(res.Timeline) != 2 {
			t.Errorf("records %d alerts %d events %d", len(res.Records), len(res.Alerts), len(res.Timeline))
		}
	})
}

func TestDBInfoCut(t *testing.T) {
	modtest.CutSection(t, dbinfo.New(), "DUMP OF SERVICE dbinfo:", "Connection pool for /data/x.db:\n  Most recently executed operations:\n")
}

func FuzzDBInfoParser(f *testing.F) {
	f.Add("Connection pool for /data/user/0/a.b/databases/x.db:\n      Most recently executed operations:\n        0: [2024-05-20 13:58:01.114] [Pid:(1)]prepare took 0ms - succeeded, sql=\"SELECT 1\", path=x\n  x\n")
	f.Fuzz(func(t *testing.T, s string) {
		var p dbinfo.Parser
		for _, l := range strings.Split(s, "\n") {
			p.Line(l)
		}
		for _, op := range p.Ops {
			if op.Path == "" {
				t.Fatal(op)
			}
		}
	})
}
