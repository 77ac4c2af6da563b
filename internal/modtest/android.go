package modtest

import (
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

// Cases returns the generated bugreport and androidqf acquisitions.
func Cases() []Case {
	return []Case{
		{"bugreport", acquisition.AndroidBugreport, FS(androiddata.Bugreport(androiddata.Options{}))},
		{"androidqf", acquisition.AndroidQF, FS(androiddata.AndroidQF(androiddata.Options{}))},
	}
}

// CutSection runs m on a bugreport whose dump ends inside the section that
// starts with header and has body, and checks that the module reports the
// cut as an error naming the dump and goes on (no failure). It returns the
// result for further checks.
func CutSection(t *testing.T, m module.Module, header, body string) model.ModuleResult {
	t.Helper()
	files := map[string][]byte{"main_entry.txt": []byte("dumpstate-cut.txt\n"),
		"dumpstate-cut.txt": []byte("== dumpstate: 2024-05-20 14:03:11\n" + header + "\n" + body)}
	res, err := Run(t, m, acquisition.AndroidBugreport, files)
	if err != nil {
		t.Fatalf("module failed on a cut section: %v", err)
	}
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0].Error, "dumpstate-cut.txt") {
		t.Fatalf("cut section not reported: %+v", res.Errors)
	}
	return res
}
