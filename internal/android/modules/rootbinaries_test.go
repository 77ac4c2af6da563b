package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/rootbinaries"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
)

func TestRootBinariesGolden(t *testing.T) {
	modtest.GoldenCases(t, rootbinaries.New(), modtest.Cases()[1:], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if len(res.Records) != 2 || !modtest.HasAlert(res, model.High, false, "\"magisk\" found at /data/local/tmp/magisk") {
			t.Errorf("records %d alerts %+v", len(res.Records), res.Alerts)
		}
	})
}

func TestRootBinariesMalformed(t *testing.T) {
	for _, data := range []string{`["/system/bin/su"`, `{"a":1}`, ``} {
		res, err := modtest.Run(t, rootbinaries.New(), acquisition.AndroidQF, map[string][]byte{rootbinaries.FileName: []byte(data)})
		if err != nil || len(res.Errors) != 1 {
			t.Fatalf("%q: err %v errors %+v", data, err, res.Errors)
		}
	}
	res, _ := modtest.Run(t, rootbinaries.New(), acquisition.AndroidQF, map[string][]byte{rootbinaries.FileName: []byte(`[]`)})
	if len(res.Errors) != 0 || len(res.Alerts) != 0 {
		t.Fatalf("%+v", res)
	}
}

func FuzzRootBinariesParse(f *testing.F) {
	f.Add([]byte(`["/system/xbin/su", 1, null, "", "/"]`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = rootbinaries.Parse(b) })
}
