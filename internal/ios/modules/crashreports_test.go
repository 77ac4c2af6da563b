package modules_test

import (
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/crashreports"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// The reports below follow the layouts of Apple's .ips files as published
// in Apple's "Interpreting the JSON format of a crash report" and in
// public crash reports: a one-line JSON header, then a pretty-printed JSON
// body (iOS 15 and later) or a text body (earlier).
const (
	// A crash (bug_type 309) of a process running from the roleaccountd
	// staging folder, with a library loaded from /private/var/tmp.
	crash309 = `{"app_name":"bh","timestamp":"2023-06-01 10:22:31.00 +0200","app_version":"","slice_uuid":"5b1a9e1c-1111-3e8d-8a89-86894d83b974","build_version":"","platform":2,"share_with_app_devs":0,"is_first_party":1,"bug_type":"309","os_version":"iPhone OS 16.5 (20F66)","roots_installed":0,"incident_id":"3080438B-D8BC-417C-8D89-05BF95D28C18","name":"bh"}
{
  "uptime" : 120000,
  "procRole" : "Unspecified",
  "version" : 2,
  "userID" : 0,
  "modelCode" : "iPhone14,2",
  "captureTime" : "2023-06-01 10:22:30.6409 +0200",
  "pid" : 2143,
  "procName" : "bh",
  "procPath" : "\/private\/var\/db\/com.apple.xpc.roleaccountd.staging\/bh",
  "parentProc" : "launchd",
  "parentPid" : 1,
  "coalitionName" : "com.apple.bh",
  "exception" : {"codes":"0x0000000000000001, 0x0000000000000010","type":"EXC_BAD_ACCESS","signal":"SIGSEGV","subtype":"KERN_INVALID_ADDRESS at 0x0000000000000010"},
  "termination" : {"flags":0,"code":11,"namespace":"SIGNAL","indicator":"Segmentation fault: 11","byProc":"exc handler","byPid":2143},
  "usedImages" : [
    {"source":"P","arch":"arm64e","base":4295000064,"size":65536,"uuid":"0f2c64b3-5e2e-3c33-9f2d-5b4d8a0c1e11","path":"\/private\/var\/db\/com.apple.xpc.roleaccountd.staging\/bh","name":"bh"},
    {"source":"P","arch":"arm64e","base":4296000064,"size":16384,"uuid":"1f2c64b3-5e2e-3c33-9f2d-5b4d8a0c1e12","path":"\/private\/var\/tmp\/libhelper.dylib","name":"libhelper.dylib"},
    {"source":"P","arch":"arm64e","base":6442450944,"size":262144,"uuid":"2f2c64b3-5e2e-3c33-9f2d-5b4d8a0c1e13","path":"\/usr\/lib\/system\/libsystem_kernel.dylib","name":"libsystem_kernel.dylib"},
    {"size":0,"source":"A","base":0,"uuid":"00000000-0000-0000-0000-000000000000"}
  ]
}
`
	// A JetsamEvent (bug_type 298) listing the processes in memory.
	jetsam298 = `{"bug_type":"298","timestamp":"2023-06-02 08:00:00.00 +0200","os_version":"iPhone OS 16.5 (20F66)","incident_id":"6E2B1C7A-0D11-4A3B-9F44-1A2B3C4D5E6F"}
{
  "crashReporterKey" : "c0ffee",
  "kernel" : "Darwin Kernel Version 22.5.0",
  "product" : "iPhone14,2",
  "incident" : "6E2B1C7A-0D11-4A3B-9F44-1A2B3C4D5E6F",
  "date" : "2023-06-02 08:00:00.12 +0200",
  "largestProcess" : "MobileSafari",
  "processes" : [
    {"uuid":"a1","states":["daemon"],"name":"locationd","pid":66,"rpages":1200},
    {"uuid":"a2","states":["daemon","suspended"],"name":"roleaccountd","pid":2150,"rpages":300},
    {"uuid":"a3","states":["frontmost"],"name":"MobileSafari","pid":512,"rpages":90000,"reason":"per-process-limit"}
  ]
}
`
	// A stackshot (bug_type 288) with its processes by pid.
	stackshot288 = `{"bug_type":"288","timestamp":"2023-06-03 09:00:00.00 +0200","os_version":"iPhone OS 16.5 (20F66)"}
{"processByPid":{"1":{"procname":"launchd","pid":1},"330":{"procname":"SpringBoard","pid":330}},"reason":"stackshot"}
`
	// An older text crash report (bug_type 109) after the JSON header.
	text109 = `{"app_name":"helperd","timestamp":"2020-11-03 14:02:11.00 +0100","bug_type":"109","os_version":"iPhone OS 14.2 (18B92)","incident_id":"8B5C6F5B-0D3E-4C1A-9E1A-7B2D3C4E5F60"}
Incident Identifier: 8B5C6F5B-0D3E-4C1A-9E1A-7B2D3C4E5F60
Hardware Model:      iPhone12,1
Process:             helperd [4411]
Path:                /private/var/db/helperd
Identifier:          helperd
Code Type:           ARM-64 (Native)
Parent Process:      launchd [1]
Date/Time:           2020-11-03 14:02:10.551 +0100
OS Version:          iPhone OS 14.2 (18B92)
Exception Type:  EXC_CRASH (SIGKILL)

Thread 0 Crashed:
0   libsystem_kernel.dylib        	0x00000001b2c1a1e4 0x1b2bf3000 + 160228

Binary Images:
0x100c40000 - 0x100c47fff helperd arm64  <9e1a7b2d3c4e5f608b5c6f5b0d3e4c1a> /private/var/db/helperd
0x1b2bf3000 - 0x1b2c23fff libsystem_kernel.dylib arm64e  <08b6dd46697139b3b096ea519fcc83e4> /usr/lib/system/libsystem_kernel.dylib
`
	// An analytics log: a header, then one JSON object per line.
	crashReportsAnalytics = `{"bug_type":"211","timestamp":"2023-06-04 00:00:00.00 +0200","os_version":"iPhone OS 16.5 (20F66)"}
{"_marker":"<metadata>","startTimestamp":"2023-06-03T00:00:00Z"}
{"message":{"count":1},"name":"com.apple.x","procName":"mediaserverd"}
{"message":{"count":2},"name":"com.apple.y","procName":"mediaserverd"}
`
	// An app crash that names nothing of interest.
	benign309 = `{"app_name":"Maps","timestamp":"2023-06-05 12:00:00.00 +0200","bug_type":"309","os_version":"iPhone OS 16.5 (20F66)","bundleID":"com.apple.Maps","name":"Maps"}
{"procName":"Maps","procPath":"\/private\/var\/containers\/Bundle\/Application\/0A1B\/Maps.app\/Maps","pid":812,"parentProc":"launchd","coalitionName":"com.apple.Maps","usedImages":[{"path":"\/System\/Library\/Frameworks\/UIKit.framework\/UIKit"}]}
`
)

func TestCrashReportsParse(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		kind      string
		process   string
		path      string
		pid       int
		time      string
		processes []string
		images    int
	}{
		{"crash 309", crash309, "crash", "bh", "/private/var/db/com.apple.xpc.roleaccountd.staging/bh", 2143, "2023-06-01T08:22:30Z", nil, 3},
		{"jetsam 298", jetsam298, "jetsam", "", "", 0, "2023-06-02T06:00:00Z", []string{"MobileSafari", "locationd", "roleaccountd"}, 0},
		{"stackshot 288", stackshot288, "stackshot", "", "", 0, "2023-06-03T07:00:00Z", []string{"launchd", "SpringBoard"}, 0},
		{"text 109", text109, "crash", "helperd", "/private/var/db/helperd", 4411, "2020-11-03T13:02:10Z", nil, 2},
		{"analytics lines", crashReportsAnalytics, "diagnostic", "", "", 0, "2023-06-03T22:00:00Z", []string{"mediaserverd"}, 0},
		{"crash without a header", strings.SplitN(text109, "\n", 2)[1], "diagnostic", "helperd", "/private/var/db/helperd", 4411, "2020-11-03T13:02:10Z", nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := crashreports.Parse([]byte(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if r.Kind != tt.kind || r.Process != tt.process || r.Path != tt.path || r.PID != tt.pid ||
				r.Time.Format(time.RFC3339) != tt.time || !slices.Equal(r.Processes, tt.processes) || len(r.Images) != tt.images {
				t.Errorf("got %+v", r)
			}
		})
	}
	r, _ := crashreports.Parse([]byte(crash309))
	if r.Parent != "launchd" || r.KilledBy != "exc handler" || r.Coalition != "com.apple.bh" || r.Exception != "EXC_BAD_ACCESS SIGSEGV" || r.Incident == "" || r.OSVersion != "iPhone OS 16.5 (20F66)" {
		t.Errorf("crash fields %+v", r)
	}
}

func TestCrashReportsParseRefuses(t *testing.T) {
	for _, data := range []string{"", "not a report\nat all", "\x00\x01\x02", "[1,2]\n", `{"bug_type":"309"}` + "\n{broken"} {
		if _, err := crashreports.Parse([]byte(data)); err == nil {
			t.Errorf("Parse(%q): no error", data)
		}
	}
	// a header alone is a report (some .ips carry nothing else)
	if r, err := crashreports.Parse([]byte(`{"bug_type":"210","timestamp":"2023-06-01 10:00:00.00 +0000"}`)); err != nil || r.Kind != "panic" {
		t.Errorf("header alone: %+v %v", r, err)
	}
}

// files are the reports as a filesystem dump keeps them.
func crashReportsFiles() fstest.MapFS {
	const dir = "private/var/mobile/Library/Logs/CrashReporter/"
	return fstest.MapFS{
		dir + "bh-2023-06-01-102231.ips":                       {Data: []byte(crash309)},
		dir + "JetsamEvent-2023-06-02-080000.ips":              {Data: []byte(jetsam298)},
		dir + "Retired/stacks-2023-06-03-090000.ips.synced":    {Data: []byte(stackshot288)},
		dir + "helperd_2020-11-03-140211_iPhone.ips":           {Data: []byte(text109)},
		dir + "Analytics-2023-06-04-000000.ips.ca.synced":      {Data: []byte(crashReportsAnalytics)},
		dir + "Maps-2023-06-05-120000.ips":                     {Data: []byte(benign309)},
		dir + "DiagnosticLogs/garbage.ips":                     {Data: []byte("\x00garbage")},
		dir + "notes.txt":                                      {Data: []byte("not a report")},
		"private/var/mobile/Library/Logs/other/x.ips":          {Data: []byte(crash309)},
		"private/var/mobile/Library/Logs/CrashReporter.ips.no": {Data: []byte(crash309)},
	}
}

// wantResult asserts what every layout must give.
func crashReportsWantResult(t *testing.T, res model.ModuleResult) {
	t.Helper()
	// bh (process, crash) and roleaccountd (jetsam): indicators; the
	// helperd crash from /private/var/db/ and the library in /private/var/tmp/:
	// unusual folders; Maps, mediaserverd, SpringBoard: nothing.
	modtest.WantAlert(t, res, model.Critical, true, "bh")
	modtest.WantAlert(t, res, model.Critical, true, "roleaccountd")
	modtest.WantAlert(t, res, model.Medium, false, "/private/var/db/helperd")
	modtest.WantAlert(t, res, model.Medium, false, "/private/var/tmp/libhelper.dylib")
	modtest.NoAlertMentions(t, res, "Maps")
	modtest.NoAlertMentions(t, res, "mediaserverd")
	if res.Seen != 6 || len(res.Timeline) != 6 {
		t.Errorf("seen %d, events %d", res.Seen, len(res.Timeline))
	}
	if len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Path, "garbage.ips") {
		t.Errorf("file errors %+v", res.Errors)
	}
}

func TestCrashReportsDump(t *testing.T) {
	res, err := modtest.RunAcq(t, crashreports.New(), &acquisition.Acquisition{Path: "dump", Kind: acquisition.IOSFilesystem, FS: crashReportsFiles()}, modtest.SmallIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	crashReportsWantResult(t, res)
	if len(res.Files) != 7 {
		t.Errorf("files read %v", res.Files)
	}
	modtest.Golden(t, "crashreports.dump", res)
}

// A sysdiagnose keeps the reports in crashes_and_spins/.
func TestCrashReportsSysdiagnose(t *testing.T) {
	var extra []iosgen.File
	for name, f := range crashReportsFiles() {
		if rest, ok := strings.CutPrefix(name, "private/var/mobile/Library/Logs/CrashReporter/"); ok {
			extra = append(extra, iosgen.File{Path: "crashes_and_spins/" + rest, Data: f.Data})
		}
	}
	slices.SortFunc(extra, func(a, b iosgen.File) int { return strings.Compare(a.Path, b.Path) })
	p := filepath.Join(t.TempDir(), "sysdiagnose.tar.gz")
	if err := iosgen.WriteSysdiagnose(p, iosgen.SysdiagnoseSpec{Format: iosgen.DumpTarGz, Files: extra}); err != nil {
		t.Fatal(err)
	}
	res, err := modtest.RunAcq(t, crashreports.New(), modtest.OpenIOS(t, p, acquisition.IOSSysdiagnose, acquisition.Options{}), modtest.SmallIndex(t))
	if err != nil {
		t.Fatal(err)
	}
	crashReportsWantResult(t, res)
}

func FuzzCrashReportsParse(f *testing.F) {
	for _, s := range []string{crash309, jetsam298, stackshot288, text109, crashReportsAnalytics, benign309} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		r, err := crashreports.Parse(b)
		if err == nil && r.Kind == "" {
			t.Errorf("no kind: %+v", r)
		}
		if len(r.Processes) > crashreports.MaxNames || len(r.Images) > crashreports.MaxNames {
			t.Errorf("%d names, %d images", len(r.Processes), len(r.Images))
		}
	})
}

// Fields of another JSON type than Apple writes are left empty, and the
// rest of the report is still read.
func TestCrashReportsParseTolerant(t *testing.T) {
	data := `{"bug_type":309,"timestamp":["x"],"name":{"a":1}}
{"procName":"bh","pid":"77","termination":"gone","exception":[1],"usedImages":{"path":"/x"},"processes":[{"name":5},{"name":"roleaccountd"},"str"],"procPath":null}`
	r, err := crashreports.Parse([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if r.BugType != "309" || r.Kind != "crash" || r.Process != "bh" || r.PID != 77 || !r.Time.IsZero() || r.Name != "" ||
		r.KilledBy != "" || len(r.Images) != 0 || !slices.Equal(r.Processes, []string{"5", "roleaccountd"}) {
		t.Errorf("got %+v", r)
	}
}

// Decoding keeps only the fields read: a stackshot body of 4 MB of
// threads costs far less than the map of every value would.
func TestCrashReportsParseMemory(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"bug_type":"288"}` + "\n" + `{"threads":[`)
	for i := range 200000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"id":1,"frames":[1,2]}`)
	}
	b.WriteString(`],"processByPid":{"1":{"procname":"launchd"}}}`)
	data := []byte(b.String())
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	before := ms.TotalAlloc
	r, err := crashreports.Parse(data)
	runtime.ReadMemStats(&ms)
	if err != nil || !slices.Equal(r.Processes, []string{"launchd"}) {
		t.Fatalf("%+v %v", r, err)
	}
	if alloc := ms.TotalAlloc - before; alloc > uint64(len(data)) {
		t.Errorf("parsing %d bytes allocated %d bytes", len(data), alloc)
	}
}
