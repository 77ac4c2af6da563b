package tombstones

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestGolden(t *testing.T) {
	// The androidqf case exposes the nested bugreport under "bugreport/".
	qf := androiddata.AndroidQF(androiddata.Options{})
	for p, b := range androiddata.Bugreport(androiddata.Options{}) {
		qf["bugreport/"+p] = b
	}
	cases := []modtest.Case{modtest.Cases()[0], {Name: "androidqf", Kind: acquisition.AndroidQF, FS: modtest.FS(qf)}}
	modtest.GoldenCases(t, New(), cases, func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Error("stalkerware crash not detected")
		}
		if !modtest.HasAlert(res, model.Medium, false, "running as shell (uid 2000)") {
			t.Error("shell crash not flagged")
		}
		if len(res.Records) != 2 || len(res.Timeline) != 2 {
			t.Errorf("records %d events %d", len(res.Records), len(res.Timeline))
		}
	})
}

func TestBadTombstone(t *testing.T) {
	files := map[string][]byte{
		"FS/data/tombstones/tombstone_00":    []byte("garbage"),
		"FS/data/tombstones/tombstone_01.pb": {0x12, 0x50, 0x01},
		"FS/data/tombstones/tombstone_02":    androiddata.TombstoneText(),
	}
	res, err := modtest.Run(t, New(), acquisition.AndroidBugreport, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Errors) != 2 || len(res.Records) != 1 {
		t.Fatalf("errors %+v records %d", res.Errors, len(res.Records))
	}
}

func TestNone(t *testing.T) {
	if _, err := modtest.Run(t, New(), acquisition.AndroidQF, map[string][]byte{"packages.json": nil}); err == nil {
		t.Fatal("want ErrNotFound")
	}
}
