package modules_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/processes"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// psTxt has the columns and alignment of a real sysdiagnose's ps.txt (the
// header and the first lines as published in public sysdiagnose
// walkthroughs), with processes added for the checks.
const psTxt = `USER               UID PRSNA   PID  PPID        F  %CPU %MEM PRI NI      VSZ    RSS WCHAN    TT  STAT STARTED      TIME COMMAND
root                 0     -     1     0     4004   0.0  0.0   0  0        0      0 -        ??  ?s    7:47AM   0:00.00 /sbin/launchd
root                 0   200    29     1  4004004   0.0  0.0   0  0        0      0 -        ??  ?s    7:47AM   0:00.00 /usr/libexec/UserEventAgent (System)
_logd              272   199    30     1  4004004   0.0  0.0   0  0        0      0 -        ??  ?s    7:47AM   0:00.00 /usr/libexec/logd
root                 0   200  2150     1  4004004   0.0  0.1   0  0        0      0 -        ??  ?s   Tue07AM   0:01.10 /private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd
root                 0   200  2151     1  4004004   0.0  0.0   0  0        0      0 -        ??  ?s   Tue07AM   0:00.20 /private/var/tmp/updater -d
mobile             501   200   812     1  4004004   1.0  2.1   0  0        0      0 -        ??  ?s    8:01AM   0:03.40 /private/var/containers/Bundle/Application/0A1B2C3D-0000-1111-2222-333344445555/My App.app/My App --launch
mobile             501   200   813     1  4004004   0.0  0.0   0  0        0      0 -        ??  ?s    8:02AM   0:00.01 /usr/libexec/helper --path=/x/Y.app/Z
truncated line
`

func TestProcessesParse(t *testing.T) {
	procs, err := processes.Parse([]byte(psTxt))
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		pid       int
		user, exe string
		cmd       string
		uid, ppid int
		started   string
	}{
		{1, "root", "/sbin/launchd", "/sbin/launchd", 0, 0, "7:47AM"},
		{29, "root", "/usr/libexec/UserEventAgent", "/usr/libexec/UserEventAgent (System)", 0, 1, "7:47AM"},
		{30, "_logd", "/usr/libexec/logd", "/usr/libexec/logd", 272, 1, "7:47AM"},
		{2150, "root", "/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd", "/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd", 0, 1, "Tue07AM"},
		{2151, "root", "/private/var/tmp/updater", "/private/var/tmp/updater -d", 0, 1, "Tue07AM"},
		{812, "mobile", "/private/var/containers/Bundle/Application/0A1B2C3D-0000-1111-2222-333344445555/My App.app/My App",
			"/private/var/containers/Bundle/Application/0A1B2C3D-0000-1111-2222-333344445555/My App.app/My App --launch", 501, 1, "8:01AM"},
		{813, "mobile", "/usr/libexec/helper", "/usr/libexec/helper --path=/x/Y.app/Z", 501, 1, "8:02AM"},
	}
	if len(procs) != len(want) {
		t.Fatalf("%d processes: %+v", len(procs), procs)
	}
	for i, w := range want {
		p := procs[i]
		if p.PID != w.pid || p.User != w.user || p.Executable != w.exe || p.Command != w.cmd || p.UID != w.uid || p.PPID != w.ppid || p.Started != w.started {
			t.Errorf("line %d: %+v", i, p)
		}
	}
}

func TestProcessesParseRefuses(t *testing.T) {
	for _, data := range []string{"", "root 0 - 1 0 /sbin/launchd\n", "USER PID\nroot 1\n"} {
		if _, err := processes.Parse([]byte(data)); err == nil {
			t.Errorf("Parse(%q): no error", data)
		}
	}
	if _, err := processes.Parse([]byte("USER PID COMMAND\nroot 1 " + strings.Repeat("x", 2*processes.MaxLine) + "\n")); err == nil {
		t.Error("over-long line: no error")
	}
}

// The module on a sysdiagnose archive as iOS writes it.
func TestProcessesSysdiagnose(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sysdiagnose.tar.gz")
	spec := iosgen.SysdiagnoseSpec{Format: iosgen.DumpTarGz, Files: []iosgen.File{{Path: "ps.txt", Data: []byte(psTxt)}}}
	if err := iosgen.WriteSysdiagnose(p, spec); err != nil {
		t.Fatal(err)
	}
	res, err := modtest.RunAcq(t, processes.New(), modtest.OpenIOS(t, p, acquisition.IOSSysdiagnose, acquisition.Options{}), modtest.SmallIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	// roleaccountd: indicator; updater in /private/var/tmp: MEDIUM;
	// launchd, logd, the app and the helper: nothing.
	modtest.WantAlert(t, res, model.Critical, true, "roleaccountd")
	modtest.WantAlert(t, res, model.Medium, false, "/private/var/tmp/updater")
	modtest.NoAlertMentions(t, res, "launchd")
	modtest.NoAlertMentions(t, res, "My App")
	if len(res.Alerts) != 2 || res.Seen != 7 || len(res.Errors) != 0 {
		t.Errorf("%d alerts, %d seen, errors %v", len(res.Alerts), res.Seen, res.Errors)
	}
	modtest.Golden(t, "processes", res)
}

func FuzzProcessesParse(f *testing.F) {
	f.Add([]byte(psTxt))
	f.Add([]byte("USER PID COMMAND\nroot 1 /a b.app/b c\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		procs, err := processes.Parse(b)
		if err != nil && len(procs) > 0 && err == processes.ErrNoHeader {
			t.Errorf("processes without a header: %+v", procs)
		}
		for _, p := range procs {
			if p.Command == "" || !strings.HasPrefix(p.Command, p.Executable) {
				t.Errorf("executable %q not a prefix of command %q", p.Executable, p.Command)
			}
		}
	})
}
