package aqflogtimestamps

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
)

func TestGolden(t *testing.T) {
	modtest.GoldenCases(t, New(), modtest.Cases()[1:], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if len(res.Records) != 2 || len(res.Timeline) != 2 {
			t.Errorf("records %d events %d", len(res.Records), len(res.Timeline))
		}
	})
}

func TestNoLogs(t *testing.T) {
	if _, err := modtest.Run(t, New(), acquisition.AndroidQF, map[string][]byte{"getprop.txt": nil}); err == nil {
		t.Fatal("want ErrNotFound")
	}
}
