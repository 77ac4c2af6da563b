package modules_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/bugreportmounts"
	"github.com/spyscan/spyscan/internal/android/mountlist"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
)

// TestGolden reads the generated bugreport's FS/proc/mounts and the
// mountinfo of two processes (the same table): each mount of the
// mountinfo is kept once with both pids; /system read-write (mounts) and
// the tmpfs bound read-write over /system/bin/su (mountinfo) are flagged,
// /vendor's noatime is not.
func TestBugreportMountsGolden(t *testing.T) {
	modtest.GoldenCases(t, bugreportmounts.New(), modtest.Cases()[:1], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		for _, sub := range []string{"System partition /system is mounted read-write", "/system/bin/su is mounted read-write", "/system/bin/magisk is mounted read-write"} {
			if !modtest.HasAlert(res, model.High, false, sub) {
				t.Errorf("not flagged: %s", sub)
			}
		}
		modtest.NoAlertMentions(t, res, "/vendor")
		ms := modtest.Records[mountlist.Mount](t, res)
		if len(ms) != 12 || len(res.Files) != 3 || len(res.Errors) != 0 {
			t.Fatalf("%d mounts, files %v, errors %+v", len(ms), res.Files, res.Errors)
		}
		for _, m := range ms[7:] {
			if !slices.Equal(m.ProcessIDs, []int64{1, 4242}) {
				t.Errorf("%s: pids %v", m.MountPoint, m.ProcessIDs)
			}
		}
	})
}

func TestBugreportMountsNone(t *testing.T) {
	_, err := modtest.Run(t, bugreportmounts.New(), acquisition.AndroidBugreport, map[string][]byte{"dumpstate.txt": []byte("x\n")})
	if !errors.Is(err, module.ErrNotFound) {
		t.Fatalf("a bugreport without mount tables: %v, want module.ErrNotFound", err)
	}
}
