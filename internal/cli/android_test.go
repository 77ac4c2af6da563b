package cli

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/adb/fakeadb"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestAndroidAcquireThenScan(t *testing.T) {
	isolate(t)
	t.Setenv("HOME", t.TempDir())
	answers := map[string]string{
		"getprop":                   string(androiddata.Getprop()),
		"ps -A":                     string(androiddata.Processes()),
		"pm list packages -U -u -i": "package:" + androiddata.StalkerAppID + " uid:10234 installer=com.android.chrome\n",
		"pm list packages -3":       "package:" + androiddata.StalkerAppID + "\n",
	}
	s, err := fakeadb.Start(&fakeadb.Device{Serial: "R58M123", Shell: func(cmd string) (string, bool) {
		a, ok := answers[cmd]
		return a, ok
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	dir := filepath.Join(t.TempDir(), "acq")
	code, out, errs := run(t, "android", "acquire", "--output", dir, "--adb-addr", s.Addr(), "--no-bugreport")
	if code != ExitOK || !strings.Contains(out, "check it with: spyscan scan "+dir) || !strings.Contains(errs, "collecting packages") {
		t.Fatalf("code %d out %q err %q", code, out, errs)
	}
	code, out, _ = run(t, "scan", dir, "-o", filepath.Join(t.TempDir(), "res"))
	if code == ExitUsage || !strings.Contains(out, "aqf_hashes") {
		t.Fatalf("scan code %d out %q", code, out)
	}
	code, _, errs = run(t, "android", "acquire", "--output", filepath.Join(t.TempDir(), "x"), "--adb-addr", s.Addr(), "--serial", "other")
	if code != ExitUsage || !strings.Contains(errs, "not connected") {
		t.Fatalf("code %d err %q", code, errs)
	}
	if code, _, errs = run(t, "android", "acquire"); code != ExitUsage || !strings.Contains(errs, "--output is required") {
		t.Fatalf("code %d err %q", code, errs)
	}
}
