package pslist

import (
	"os"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

// TestToybox reads ps listings written by toybox (the ps of Android since
// 7), captured from Debian's toybox 0.8.9 in an empty pid namespace (see
// testdata/public/README.md): data this project did not write. The blank
// LABEL column is read as no label; thread names keep their spaces.
func TestToybox(t *testing.T) {
	for _, tc := range []struct {
		file  string
		names []string
		tids  []int64
	}{
		{"toybox-ps-A.txt", []string{"sh", "sleep", "ps"}, nil},
		{"toybox-ps-AZ.txt", []string{"sh", "sleep", "ps"}, nil},
		{"toybox-ps-ATZ.txt", []string{"sh", "python3", "Jit thread pool", "Signal Catcher", "HeapTaskDaemon", "toybox"}, []int64{1, 2, 4, 5, 6, 7}},
	} {
		t.Run(tc.file, func(t *testing.T) {
			b, err := os.ReadFile("testdata/public/" + tc.file)
			if err != nil {
				t.Fatal(err)
			}
			ps := ParsePS(b)
			var names []string
			var tids []int64
			for _, p := range ps {
				names = append(names, p.Name)
				if p.TID != 0 {
					tids = append(tids, p.TID)
				}
				if p.PID <= 0 || p.User != "root" || p.State == "" || p.VSZ == 0 || p.Label != "" {
					t.Errorf("%+v", p)
				}
			}
			if !slices.Equal(names, tc.names) || !slices.Equal(tids, tc.tids) {
				t.Fatalf("names %q tids %v", names, tids)
			}
		})
	}
}

// TestTable reads the column lists Android's ps prints, each under its own
// header, as the bugreport's PROCESSES blocks give them.
func TestTable(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       []Process
	}{
		{"bugreport ps -A -T -Z -O pri,nice,rtprio,sched,pcy,time",
			"LABEL                          USER           PID   TID  PPID     VSZ    RSS WCHAN            ADDR S PRI  NI RTPRIO SCH PCY     TIME CMD\n" +
				"u:r:init:s0                    root             1     1     0 10904216  9840 do_epoll_wait       0 S  19   0     -   0  fg 00:00:12 init\n" +
				"u:r:untrusted_app:s0:c211,c256 u0_a211       4242  4242   690 15211000 98000 do_epoll_wait       0 S  29 -10     -   0  ta 00:01:02 com.ispyoo\n" +
				"u:r:untrusted_app:s0:c211,c256 u0_a211       4242  4250   690 15211000 98000 futex_wait_queue_me 0 S  29 -10     -   0  ta 00:00:00 Signal Catcher\n" +
				"u:r:shell:s0                   shell        11201 11201 11190 10813000  3900                     0 R  19   0     -   0  fg 00:00:00 ps\n",
			[]Process{
				{Label: "u:r:init:s0", User: "root", PID: 1, TID: 1, VSZ: 10904216, RSS: 9840, WChan: "do_epoll_wait", Addr: "0", State: "S", Priority: "19", Nice: "0", RTPriority: "-", Scheduler: "0", Policy: "fg", CPUTime: "00:00:12", Name: "init"},
				{Label: "u:r:untrusted_app:s0:c211,c256", User: "u0_a211", PID: 4242, TID: 4242, PPID: 690, VSZ: 15211000, RSS: 98000, WChan: "do_epoll_wait", Addr: "0", State: "S", Priority: "29", Nice: "-10", RTPriority: "-", Scheduler: "0", Policy: "ta", CPUTime: "00:01:02", Name: "com.ispyoo"},
				{Label: "u:r:untrusted_app:s0:c211,c256", User: "u0_a211", PID: 4242, TID: 4250, PPID: 690, VSZ: 15211000, RSS: 98000, WChan: "futex_wait_queue_me", Addr: "0", State: "S", Priority: "29", Nice: "-10", RTPriority: "-", Scheduler: "0", Policy: "ta", CPUTime: "00:00:00", Name: "Signal Catcher"},
				{Label: "u:r:shell:s0", User: "shell", PID: 11201, TID: 11201, PPID: 11190, VSZ: 10813000, RSS: 3900, Addr: "0", State: "R", Priority: "19", Nice: "0", RTPriority: "-", Scheduler: "0", Policy: "fg", CPUTime: "00:00:00", Name: "ps"},
			}},
		{"toolbox ps -t -p -P (Android 6 and older)",
			"USER     PID   PPID  VSIZE  RSS  PRIO  NICE  RTPRI SCHED  PCY  WCHAN    PC         NAME\n" +
				"root      1     0     1024   600   20    0     0     0     fg  SyS_epoll_ 00000000 S /init\n" +
				"u0_a211   4242  690   1500000 90000 20  0     0     0     fg  SyS_epoll_ 00000000 S com.ispyoo\n",
			[]Process{
				{User: "root", PID: 1, VSZ: 1024, RSS: 600, Priority: "20", Nice: "0", RTPriority: "0", Scheduler: "0", Policy: "fg", WChan: "SyS_epoll_", Addr: "00000000", State: "S", Name: "/init"},
				{User: "u0_a211", PID: 4242, PPID: 690, VSZ: 1500000, RSS: 90000, Priority: "20", Nice: "0", RTPriority: "0", Scheduler: "0", Policy: "fg", WChan: "SyS_epoll_", Addr: "00000000", State: "S", Name: "com.ispyoo"},
			}},
		{"toolbox ps -Z", "LABEL                          USER     PID   PPID  NAME\nu:r:init:s0                    root      1     0     /init\n",
			[]Process{{Label: "u:r:init:s0", User: "root", PID: 1, Name: "/init"}}},
		{"a second header changes the columns", "USER PID NAME\nroot 1 init\nLABEL USER PID PPID NAME\nu:r:vold:s0 root 300 1 /system/bin/vold\n",
			[]Process{{User: "root", PID: 1, Name: "init"}, {Label: "u:r:vold:s0", User: "root", PID: 300, PPID: 1, Name: "/system/bin/vold"}}},
		{"no header: the default ps -A columns", "root 1 0 100 10 do_epoll_wait 0 S init\n",
			[]Process{{User: "root", PID: 1, VSZ: 100, RSS: 10, WChan: "do_epoll_wait", Addr: "0", State: "S", Name: "init"}}},
		{"lines that are not processes", "USER PID PPID NAME\nbad line\nroot x 0 init\n\n", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := ParsePS([]byte(tc.text))
			if len(got) != len(tc.want) {
				t.Fatalf("got %d processes, want %d: %+v", len(got), len(tc.want), got)
			}
			for i := range got {
				g, w := got[i], tc.want[i]
				if g.Label != w.Label || g.User != w.User || g.PID != w.PID || g.TID != w.TID || g.PPID != w.PPID || g.VSZ != w.VSZ || g.RSS != w.RSS ||
					g.WChan != w.WChan || g.Addr != w.Addr || g.State != w.State || g.Priority != w.Priority || g.Nice != w.Nice ||
					g.RTPriority != w.RTPriority || g.Scheduler != w.Scheduler || g.Policy != w.Policy || g.CPUTime != w.CPUTime || g.Name != w.Name {
					t.Errorf("process %d:\n got %+v\nwant %+v", i, g, w)
				}
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add(androiddata.Processes())
	f.Add(androiddata.ProcessesJSON(androiddata.CollectorGo))
	f.Add(androiddata.ProcessesJSON(androiddata.CollectorRust))
	f.Add([]byte("u:r:x\nroot 1\n\n a b c d e f g h i j"))
	f.Add([]byte("LABEL USER PID TID PPID VSZ RSS WCHAN ADDR S PRI NI RTPRIO SCH PCY TIME CMD\n u0 1 1 0 1 1 0 R 1 1 - 0 fg 0 a b\n"))
	f.Add([]byte("USER PID PC NAME\nroot 1 0 S /init\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 1<<20 {
			return
		}
		for _, p := range ParsePS(b) {
			if p.Name == "" {
				t.Fatalf("process without a name: %+v", p)
			}
			_, _ = p.Names(), p.Paths()
		}
		ps, _ := ParseJSON(b)
		for _, p := range ps {
			_, _ = p.Names(), p.Paths()
		}
	})
}
