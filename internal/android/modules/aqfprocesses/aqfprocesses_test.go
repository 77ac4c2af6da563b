package aqfprocesses

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/pslist"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

// TestGolden runs the module on the three listings of a generated
// androidqf acquisition: `ps -A` text and both collector shapes.
func TestGolden(t *testing.T) {
	qf := func(s androiddata.ProcessShape) map[string][]byte {
		return androiddata.AndroidQF(androiddata.Options{Processes: s})
	}
	cases := []modtest.Case{
		modtest.Cases()[1],
		{Name: "androidqf-collector-go", Kind: acquisition.AndroidQF, FS: modtest.FS(qf(androiddata.CollectorGo))},
		{Name: "androidqf-collector-rust", Kind: acquisition.AndroidQF, FS: modtest.FS(qf(androiddata.CollectorRust))},
	}
	modtest.GoldenCases(t, New(), cases, func(t *testing.T, c modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Error("stalkerware process not detected")
		}
		modtest.NoAlertMentions(t, res, androiddata.LookalikeAppID)
		modtest.NoAlertMentions(t, res, "gatekeeperd")
		want := 8
		if c.Name != "androidqf" {
			want = 9
			if !modtest.HasAlert(res, model.Critical, true, androiddata.PlantedProcessPath) {
				t.Error("executable at an indicator path not detected")
			}
		}
		if len(res.Records) != want || len(res.Errors) != 0 {
			t.Errorf("%d processes, errors %+v", len(res.Records), res.Errors)
		}
		for _, r := range res.Records {
			var p pslist.Process
			if err := json.Unmarshal(r, &p); err != nil || p.Name == "" {
				t.Errorf("process without a name: %s", r)
			}
		}
	})
}

func TestFormats(t *testing.T) {
	for _, tc := range []struct {
		name, file, data string
		want             []string // names of the processes read
		errs             int
	}{
		{"toybox ps -A", "processes.txt", "USER PID PPID VSZ RSS WCHAN ADDR S NAME\nroot 1 0 100 10 do_epoll_wait 0 S init\nroot 2 0 0 0 kthreadd 0 S [kthreadd]\n",
			[]string{"init", "kthreadd"}, 0},
		{"empty WCHAN", "processes.txt", "USER PID PPID VSZ RSS WCHAN ADDR S NAME\nu0_a1 7 1 100 10 0 S com.x\n", []string{"com.x"}, 0},
		{"ps -A -Z label", "processes.txt", "LABEL USER PID PPID VSZ RSS WCHAN ADDR S NAME\nu:r:init:s0 root 1 0 100 10 ep 0 S init\n", []string{"init"}, 0},
		{"toolbox ps of Android 7 and older", "ps.txt", "USER     PID   PPID  VSIZE  RSS     WCHAN    PC         NAME\nroot      1     0     8904   708   ffffffff 00000000 S /init\nsystem    512   1     9876   654   ffffffff 00000000 S /system/bin/servicemanager\n",
			[]string{"/init", "/system/bin/servicemanager"}, 0},
		{"Go collector", "processes.json", `[{"pid":4242,"uid":10211,"ppid":690,"filename":"(com.ispyoo:remo)","path":"","context":"u:r:untrusted_app:s0","command_line":["com.ispyoo:remote"],"env":null},{"pid":2,"uid":0,"filename":"(kthreadd)","command_line":null},{"pid":3,"filename":"(Jit","command_line":null}]`,
			[]string{"com.ispyoo:remo", "kthreadd", "Jit"}, 0},
		{"Rust collector", "processes.json", `[{"pid":6001,"uid":2000,"filename":"dropbox","path":"/data/local/tmp/dropbox","context":"","command_line":["/data/local/tmp/dropbox","-d"],"env":[],"cwd":"/"}]`,
			[]string{"dropbox"}, 0},
		{"JSON with other keys", "processes.txt", `[{"pid":"4242","ppid":1,"uid":"10211","name":"com.ispyoo","cmdline":"com.ispyoo"},{"pid":9,"cmdline":"/system/bin/x y"}]`,
			[]string{"com.ispyoo", "x"}, 0},
		{"malformed JSON", "processes.txt", `[{"pid":`, nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := modtest.Run(t, New(), acquisition.AndroidQF, map[string][]byte{tc.file: []byte(tc.data)})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range res.Records {
				var p pslist.Process
				if err := json.Unmarshal(r, &p); err != nil {
					t.Fatal(err)
				}
				got = append(got, p.Name)
			}
			if !slices.Equal(got, tc.want) || len(res.Errors) != tc.errs {
				t.Fatalf("names %q (want %q), errors %+v", got, tc.want, res.Errors)
			}
		})
	}
}

// TestEveryName checks that a process is found by any of its names: a
// truncated name with the whole one only in the command line, and a
// generic name with the executable at an indicator path.
func TestEveryName(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"app id only in the command line", `[{"pid":1,"filename":"(com.ispyoo:remo)","command_line":["com.ispyoo:remote"]}]`, androiddata.StalkerAppID},
		{"indicator path only in path", `[{"pid":1,"filename":"sh","path":"` + androiddata.CampaignPath + `","command_line":["sh"]}]`, androiddata.CampaignPath},
		{"indicator path only in the command line", `[{"pid":1,"filename":"(sh)","path":"","command_line":["` + androiddata.CampaignPath + `"]}]`, androiddata.CampaignPath},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := modtest.Run(t, New(), acquisition.AndroidQF, map[string][]byte{"processes.json": []byte(tc.data)})
			if err != nil {
				t.Fatal(err)
			}
			if !modtest.HasAlert(res, model.High, true, tc.want) {
				t.Fatalf("no alert on %s: %+v", tc.want, res.Alerts)
			}
		})
	}
}

// TestBothFiles reads every listing present.
func TestBothFiles(t *testing.T) {
	files := map[string][]byte{"processes.txt": androiddata.Processes(), "processes.json": androiddata.ProcessesJSON(androiddata.CollectorGo)}
	res, err := modtest.Run(t, New(), acquisition.AndroidQF, files)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Records) != 17 || len(res.Files) != 2 {
		t.Fatalf("records %d files %v", len(res.Records), res.Files)
	}
}
