package shutdownlog

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/acquire"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

func TestShutdownLog(t *testing.T) {
	t1 := time.Date(2023, 8, 1, 9, 0, 0, 0, time.UTC)
	t2 := t1.Add(48 * time.Hour)
	spec := iosgen.SysdiagnoseSpec{Format: iosgen.DumpTarGz, Shutdown: []iosgen.ShutdownEntry{
		{Time: t1, Clients: []iosgen.ShutdownClient{
			{PID: 120, Path: "/System/Library/PrivateFrameworks/CoreTime.framework/Support/timed"},
			{PID: 777, Path: "/private/var/db/com.apple.xpc.roleaccountd.staging/bh"},
		}},
		{Time: t2, Clients: []iosgen.ShutdownClient{
			{PID: 301, Path: "/private/var/tmp/updater"},
			{PID: 302, Path: "/private/var/db/com.apple.xpc.roleaccountd.staging/helperd"},
			{PID: 303, Path: "/usr/libexec/bhd"},
		}},
	}}
	p := filepath.Join(t.TempDir(), "sysdiagnose.tar.gz")
	if err := iosgen.WriteSysdiagnose(p, spec); err != nil {
		t.Fatal(err)
	}
	acq, err := acquire.Opener{}.Open(context.Background(), p, acquisition.IOSSysdiagnose, acquisition.Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer acq.Close()
	res, err := modtest.RunAcq(t, New(), acq, modtest.SmallIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	levels := map[model.Level]int{}
	for _, a := range res.Alerts {
		levels[a.Level]++
	}
	// bh: indicator (CRITICAL); helperd: staging folder (HIGH); updater: /private/var/tmp (MEDIUM); timed, bhd: nothing.
	if levels[model.Critical] != 1 || levels[model.High] != 1 || levels[model.Medium] != 1 || len(res.Alerts) != 3 {
		t.Errorf("alerts by level %v", levels)
	}
	if res.Seen != 5 || len(res.Timeline) != 5 {
		t.Errorf("seen %d, events %d", res.Seen, len(res.Timeline))
	}
	modtest.Golden(t, "shutdownlog", res)
}

func TestParseDrift(t *testing.T) {
	in := "garbage\nremaining client pid: x\nremaining client pid: 5 (/a/b)\nremaining client pid: 5 (/a/b)\nSIGTERM: [notanumber]\nremaining client pid: 9 (/c)\n"
	got, err := Parse([]byte(in))
	if err != nil || len(got) != 2 || got[0].PID != 5 || !got[0].Time.IsZero() || got[1].Client != "/c" {
		t.Errorf("Parse = %+v, %v", got, err)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(iosgen.ShutdownLog([]iosgen.ShutdownEntry{{Time: time.Unix(1, 0), Clients: []iosgen.ShutdownClient{{PID: 1, Path: "/x"}}}}))
	f.Fuzz(func(t *testing.T, b []byte) { _, _ = Parse(b) })
}
