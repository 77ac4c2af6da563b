package rootbinaries

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
)

func TestGolden(t *testing.T) {
	modtest.GoldenCases(t, New(), modtest.Cases()[1:], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if len(res.Records) != 2 || !modtest.HasAlert(res, model.High, false, "\"magisk\" found at /data/local/tmp/magisk") {
			t.Errorf("records %d alerts %+v", len(res.Records), res.Alerts)
		}
	})
}

func TestMalformed(t *testing.T) {
	for _, data := range []string{`["/system/bin/su"`, `{"a":1}`, ``} {
		res, err := modtest.Run(t, New(), acquisition.AndroidQF, map[string][]byte{FileName: []byte(data)})
		if err != nil || len(res.Errors) != 1 {
			t.Fatalf("%q: err %v errors %+v", data, err, res.Errors)
		}
	}
	res, _ := modtest.Run(t, New(), acquisition.AndroidQF, map[string][]byte{FileName: []byte(`[]`)})
	if len(res.Errors) != 0 || len(res.Alerts) != 0 {
		t.Fatalf("%+v", res)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`["/system/xbin/su", 1, null, "", "/"]`))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = Parse(b) })
}
