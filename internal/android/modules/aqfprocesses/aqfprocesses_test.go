package aqfprocesses

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestGolden(t *testing.T) {
	modtest.GoldenCases(t, New(), modtest.Cases()[1:], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Error("stalkerware process not detected")
		}
		modtest.NoAlertMentions(t, res, androiddata.LookalikeAppID)
		if len(res.Records) != 8 {
			t.Errorf("%d processes", len(res.Records))
		}
	})
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		name, file, data string
		n, errs          int
	}{
		{"old ps.txt without WCHAN", "ps.txt", "USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0 100 10 0 S init\n", 1, 0},
		{"label", "processes.txt", "LABEL USER PID PPID VSZ RSS WCHAN ADDR S NAME\nu:r:init:s0 root 1 0 100 10 ep 0 S init\n", 1, 0},
		{"collector JSON", "processes.txt", `[{"pid":4242,"ppid":1,"uid":10211,"name":"com.ispyoo","cmdline":"com.ispyoo"}]`, 1, 0},
		{"processes.json", "processes.json", `[{"pid":1,"proc_name":"init"},{"pid":2}]`, 2, 0},
		{"malformed JSON", "processes.txt", `[{"pid":`, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := modtest.Run(t, New(), acquisition.AndroidQF, map[string][]byte{tc.file: []byte(tc.data)})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Records) != tc.n || len(res.Errors) != tc.errs {
				t.Fatalf("records %d errors %+v", len(res.Records), res.Errors)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(androiddata.Processes())
	f.Add([]byte("u:r:x\nroot 1\n\n a b c d e f g h i j"))
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = ParsePS(b)
		_, _ = ParseJSON(b)
	})
}
