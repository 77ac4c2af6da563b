package modules_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/shutdownlog"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

var (
	t1            = time.Date(2023, 8, 1, 9, 0, 0, 0, time.UTC)
	t2            = t1.Add(48 * time.Hour)
	shutdownLogT0 = t1.Add(-30 * 24 * time.Hour)
)

// current is shutdown.log; rotated is shutdown.0.log, an older one whose
// last reboot is also the first of shutdown.log (reported once), and whose
// clients carry iOS 26's binary UUID.
var (
	current = []iosgen.ShutdownEntry{
		{Time: t1, Clients: []iosgen.ShutdownClient{
			{PID: 120, Path: "/System/Library/PrivateFrameworks/CoreTime.framework/Support/timed"},
			{PID: 777, Path: "/private/var/db/com.apple.xpc.roleaccountd.staging/bh"},
		}},
		{Time: t2, Notices: 5, Clients: []iosgen.ShutdownClient{
			{PID: 301, Path: "/private/var/tmp/updater"},
			{PID: 302, Path: "/private/var/db/com.apple.xpc.roleaccountd.staging/helperd"},
			{PID: 303, Path: "/usr/libexec/bhd"},
		}},
	}
	rotated = []iosgen.ShutdownEntry{
		{Time: shutdownLogT0, Notices: 2, Clients: []iosgen.ShutdownClient{
			{PID: 55, Path: "/usr/libexec/nfcd", UUID: "EBFB3E7F-4CA4-3656-8E9C-8CCF5995C34A"},
			{PID: 2143, Path: "/private/var/db/com.apple.xpc.roleaccountd.staging/roleaccountd", UUID: "AAAA1111-B896-3E7F-A6CC-577F0A547BB1"},
		}},
		current[0],
	}
)

// wantResult asserts what both layouts must give.
func shutdownLogWantResult(t *testing.T, res model.ModuleResult) {
	t.Helper()
	levels := map[model.Level]int{}
	for _, a := range res.Alerts {
		levels[a.Level]++
	}
	// bh and roleaccountd (behind its UUID): indicators (CRITICAL);
	// helperd: staging folder (HIGH); updater: /private/var/tmp (MEDIUM);
	// the reboot held up 5 times (LOW); timed, bhd, nfcd: nothing.
	if levels[model.Critical] != 2 || levels[model.High] != 1 || levels[model.Medium] != 1 || levels[model.Low] != 1 || len(res.Alerts) != 5 {
		t.Errorf("alerts by level %v", levels)
	}
	modtest.WantAlert(t, res, model.Critical, true, "roleaccountd")
	modtest.NoAlertMentions(t, res, "nfcd")
	// 5 clients of shutdown.log, 2 more in shutdown.0.log (its copy of
	// the first reboot is not reported twice)
	if res.Seen != 7 || len(res.Timeline) != 7 || len(res.Files) != 2 {
		t.Errorf("seen %d, events %d, files %v", res.Seen, len(res.Timeline), res.Files)
	}
}

func TestShutdownLogSysdiagnose(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sysdiagnose.tar.gz")
	if err := iosgen.WriteSysdiagnose(p, iosgen.SysdiagnoseSpec{Format: iosgen.DumpTarGz, Shutdown: current, Rotated: [][]iosgen.ShutdownEntry{rotated}}); err != nil {
		t.Fatal(err)
	}
	res, err := modtest.RunAcq(t, shutdownlog.New(), modtest.OpenIOS(t, p, acquisition.IOSSysdiagnose, acquisition.Options{}), modtest.SmallIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	shutdownLogWantResult(t, res)
	modtest.Golden(t, "shutdownlog", res)
}

// A filesystem dump keeps shutdown.log and its rotated copies in
// private/var/db/diagnostics (MVT reads them all since 2026).
func TestShutdownLogDump(t *testing.T) {
	fsys := fstest.MapFS{
		"private/var/db/diagnostics/shutdown.log":   {Data: iosgen.ShutdownLog(current)},
		"private/var/db/diagnostics/shutdown.0.log": {Data: iosgen.ShutdownLog(rotated)},
		"private/var/db/diagnostics/shutdown.txt":   {Data: []byte("not a log")},
	}
	acq := &acquisition.Acquisition{Path: "dump", Kind: acquisition.IOSFilesystem, FS: fsys}
	res, err := modtest.RunAcq(t, shutdownlog.New(), acq, modtest.SmallIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	shutdownLogWantResult(t, res)
	modtest.Golden(t, "shutdownlog.dump", res)
}

// The formats shutdown.log has had, as described by Kaspersky's iShutdown
// tools, MVT and the sysdiagnose parsers of EC-DIGIT-CSIRC and others.
func TestShutdownLogParseFormats(t *testing.T) {
	tests := []struct {
		name    string
		log     string
		reboots int
		times   []int64 // SIGTERM time of each reboot (0: none)
		clients [][]string
		notices []int
	}{
		{"notices with indented clients and a SIGTERM line",
			"After 0.63s, these clients are still here:\n\t\tremaining client pid: 215 (/usr/libexec/destinationd)\n\t\tremaining client pid: 66 (/usr/libexec/locationd)\n" +
				"After 2.62s, these clients are still here:\n\t\tremaining client pid: 66 (/usr/libexec/locationd)\nSIGTERM: [1774602168] All buffers flushed\n",
			1, []int64{1774602168}, [][]string{{"/usr/libexec/destinationd", "/usr/libexec/locationd"}}, []int{2}},
		{"one-line notices, a SIGTERM line naming a client, no time",
			"%%%%% Entering phase: Waiting for apps to exit\n\nAfter 0.1s, remaining client pid: 155 (/usr/libexec/nfcd)\nAfter 0.2s, remaining client pid: 155 (/usr/libexec/nfcd)\n" +
				"SIGTERM: [0x100304080] Sent SIGTERM to remaining client pid: 155 (/usr/libexec/nfcd)\n\n%%%%% Entering phase: Waiting for apps to exit\n\n" +
				"After 0.1s, remaining client pid: 2143 (/private/var/db/com.apple.xpc.roleaccountd.staging/bh)\n",
			2, []int64{0, 0}, [][]string{{"/usr/libexec/nfcd"}, {"/private/var/db/com.apple.xpc.roleaccountd.staging/bh"}}, []int{0, 0}},
		{"iOS 26: UUID-suffixed paths, reboots told apart by the elapsed time",
			"After 1.26s, these clients are still here:\n\t\tremaining client pid: 153 (/usr/sbin/filecoordinationd/EBFB3E7F-4CA4-3656-8E9C-8CCF5995C34A)\n" +
				"After 1.77s, these clients are still here:\n\t\tremaining client pid: 153 (/usr/sbin/filecoordinationd/EBFB3E7F-4CA4-3656-8E9C-8CCF5995C34A)\n" +
				"After 1.26s, these clients are still here:\n\t\tremaining client pid: 0 (/kernel/D504008E-47BE-3030-836A-E692031BB4AE)\n",
			2, []int64{0, 0}, [][]string{{"/usr/sbin/filecoordinationd/EBFB3E7F-4CA4-3656-8E9C-8CCF5995C34A"}, {"/kernel/D504008E-47BE-3030-836A-E692031BB4AE"}}, []int{2, 1}},
		{"MVT's test shape: clients then SIGTERM",
			"remaining client pid: 100 (/usr/libexec/first)\nSIGTERM: [1700000000]\nremaining client pid: 200 (/usr/libexec/second)\nSIGTERM: [1700000001]\n",
			2, []int64{1700000000, 1700000001}, [][]string{{"/usr/libexec/first"}, {"/usr/libexec/second"}}, []int{0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := shutdownlog.Parse([]byte(tt.log))
			if err != nil || len(got) != tt.reboots {
				t.Fatalf("%d reboots, %v: %+v", len(got), err, got)
			}
			for i, r := range got {
				var cs []string
				for _, c := range r.Clients {
					cs = append(cs, c.Client)
				}
				if !slices.Equal(cs, tt.clients[i]) || r.Notices != tt.notices[i] || (tt.times[i] == 0) != r.Time.IsZero() ||
					tt.times[i] != 0 && r.Time.Unix() != tt.times[i] {
					t.Errorf("reboot %d: clients %q notices %d time %v", i, cs, r.Notices, r.Time)
				}
			}
		})
	}
	// delay and count of the notices that listed a client
	got, _ := shutdownlog.Parse([]byte(tests[0].log))
	if c := got[0].Clients[1]; c.Delay != 2.62 || c.TimesDelayed != 2 || got[0].Clients[0].TimesDelayed != 1 {
		t.Errorf("locationd %+v", c)
	}
}

// MVT's expectation: a file-path indicator matches a client whose path
// carries a trailing UUID; and so does a process indicator, which MVT
// misses.
func TestShutdownLogTrailingUUID(t *testing.T) {
	if got := shutdownlog.Executable("/usr/sbin/filecoordinationd/123e4567-e89b-12d3-a456-426614174000"); got != "/usr/sbin/filecoordinationd" {
		t.Errorf("Executable = %q", got)
	}
	for _, p := range []string{"/usr/libexec/nfcd", "/usr/libexec/AAAA-BB/binary", "/D504008E-47BE-3030-836A-E692031BB4AE"} {
		if got := shutdownlog.Executable(p); got != p {
			t.Errorf("Executable(%q) = %q", p, got)
		}
	}
	log := iosgen.ShutdownLog([]iosgen.ShutdownEntry{{Time: t1, Clients: []iosgen.ShutdownClient{
		{PID: 9, Path: "/private/var/tmp/hooker", UUID: "123e4567-e89b-12d3-a456-426614174000"},
		{PID: 10, Path: "/usr/libexec/bh", UUID: "223e4567-e89b-12d3-a456-426614174000"}}}})
	res, err := modtest.RunAcq(t, shutdownlog.New(), &acquisition.Acquisition{Kind: acquisition.IOSFilesystem,
		FS: fstest.MapFS{"private/var/db/diagnostics/shutdown.log": {Data: log}}}, modtest.SmallIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	modtest.WantAlert(t, res, model.Critical, true, "/private/var/tmp/hooker")
	modtest.WantAlert(t, res, model.Critical, true, "bh")
}

func TestShutdownLogParseDrift(t *testing.T) {
	in := "garbage\nremaining client pid: x\nremaining client pid: 5 (/a/b)\nremaining client pid: 5 (/a/b)\nSIGTERM: [notanumber]\nremaining client pid: 9 (/c)\n"
	got, err := shutdownlog.Parse([]byte(in))
	if err != nil || len(got) != 1 || len(got[0].Clients) != 2 || got[0].Clients[0].PID != 5 || !got[0].Time.IsZero() || got[0].Clients[1].Client != "/c" {
		t.Errorf("Parse = %+v, %v", got, err)
	}
	if _, err := shutdownlog.Parse([]byte("remaining client pid: 1 (" + strings.Repeat("x", 2<<20) + ")\n")); err == nil {
		t.Error("over-long line: no error")
	}
}

func FuzzShutdownLogParse(f *testing.F) {
	f.Add(iosgen.ShutdownLog(current))
	f.Add(iosgen.ShutdownLog(rotated))
	f.Add([]byte("After 0.1s, remaining client pid: 155 (/usr/libexec/nfcd)\nSIGTERM: [0x1] Sent SIGTERM to remaining client pid: 155 (/x)\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		rs, _ := shutdownlog.Parse(b)
		for _, r := range rs {
			for _, c := range r.Clients {
				if c.Client == "" || c.TimesDelayed > r.Notices+len(b) {
					t.Fatalf("bad client %+v", c)
				}
			}
		}
	})
}

// A known answer from a published example: the Pegasus client that
// Kaspersky's iShutdown README (github.com/KasperskyLab/iShutdown,
// README.md at commit 2a12445a2e39ee75c0307a3514af7c610dc8e622) shows its
// detector reporting from a real 2021 infection, four times, in
// "/private/var/db/":
// "com.apple.xpc.roleaccountd.staging/mptbd/42286BD8-3758-3B85-B19F-6E1FDB2CB030".
// Only the path is published; the pid, delays and SIGTERM time around it
// are ours. With the embedded indicators (Amnesty's Pegasus process mptbd)
// the client is a CRITICAL process hit on its executable without the UUID,
// and four listings make a reboot held up four times.
func TestShutdownLogKasperskyPublishedClient(t *testing.T) {
	const client = "/private/var/db/com.apple.xpc.roleaccountd.staging/mptbd/42286BD8-3758-3B85-B19F-6E1FDB2CB030"
	var b strings.Builder
	for _, d := range []string{"0.51", "1.02", "1.53", "2.04"} {
		b.WriteString("After " + d + "s, these clients are still here:\n\t\tremaining client pid: 155 (/usr/libexec/nfcd/EBFB3E7F-4CA4-3656-8E9C-8CCF5995C34A)\n")
		b.WriteString("\t\tremaining client pid: 2143 (" + client + ")\n")
	}
	b.WriteString("SIGTERM: [1625097600] All buffers flushed\n")
	reboots, err := shutdownlog.Parse([]byte(b.String()))
	if err != nil || len(reboots) != 1 || reboots[0].Notices != 4 || len(reboots[0].Clients) != 2 {
		t.Fatalf("%v %+v", err, reboots)
	}
	c := reboots[0].Clients[1]
	if c.Executable != "/private/var/db/com.apple.xpc.roleaccountd.staging/mptbd" || c.TimesDelayed != 4 || c.Delay != 2.04 || c.Time.Unix() != 1625097600 {
		t.Errorf("client %+v", c)
	}
	res, err := modtest.Run(t, shutdownlog.New(), acquisition.IOSFilesystem, fstest.MapFS{"private/var/db/diagnostics/shutdown.log": {Data: []byte(b.String())}})
	if err != nil || len(res.Errors) > 0 {
		t.Fatal(err, res.Errors)
	}
	modtest.WantAlert(t, res, model.Critical, true, "mptbd")
	modtest.WantAlert(t, res, model.Low, false, "The shutdown of 2021-07-01 00:00:00.000000 was held up 4 times")
	modtest.NoAlertMentions(t, res, "nfcd")
}
