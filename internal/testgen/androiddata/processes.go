package androiddata

import (
	"encoding/json"
	"path"
)

// ProcessShape names one of the processes.json shapes androidqf's
// on-device collectors have written.
type ProcessShape string

// The collector shapes.
const (
	// CollectorGo is androidqf's Go collector (android-collector ps, since
	// 2023): the name as /proc/<pid>/stat gives it, "(name)" with its
	// parentheses and truncated to 15 bytes; path never filled; the SELinux
	// context; the command line as a list.
	CollectorGo ProcessShape = "collector-go"
	// CollectorRust is the Rust collector of 2025 (android-collector-rs):
	// the name without parentheses, path = the /proc/<pid>/exe target,
	// no context, environment entries in Rust's Debug quoting.
	CollectorRust ProcessShape = "collector-rust"
)

// PlantedProcessPath is a running executable planted in the collector
// shapes: the file path of CampaignPath, run from where the campaign put it.
const PlantedProcessPath = CampaignPath

type procRow struct {
	pid, uid, ppid int
	comm, exe, ctx string
	argv           []string
}

func processRows() []procRow {
	return []procRow{
		{1, 0, 0, "init", "/system/bin/init", "u:r:init:s0", []string{"/system/bin/init", "second_stage"}},
		{2, 0, 0, "kthreadd", "", "u:r:kernel:s0", nil},
		{1402, 1000, 690, "system_server", "/system/bin/app_process64", "u:r:system_server:s0", []string{"system_server"}},
		{3120, 10140, 690, "com.whatsapp", "/system/bin/app_process64", "u:r:untrusted_app:s0:c140,c256,c512,c768", []string{"com.whatsapp"}},
		// the name is cut to 15 bytes by the kernel; only the command line has it whole
		{4242, 10211, 690, StalkerAppID + ":remo", "/system/bin/app_process64", "u:r:untrusted_app:s0:c211,c256,c512,c768", []string{StalkerAppID + ":remote"}},
		{4300, 10212, 690, LookalikeAppID[:15], "/system/bin/app_process64", "u:r:untrusted_app:s0:c212,c256,c512,c768", []string{LookalikeAppID}},
		{5120, 0, 1, "gatekeeperd", "/system/bin/gatekeeperd", "u:r:gatekeeperd:s0", []string{"/system/bin/gatekeeperd", "/data/misc/gatekeeper"}},
		{6001, 2000, 1, path.Base(PlantedProcessPath), PlantedProcessPath, "u:r:shell:s0", []string{PlantedProcessPath, "-d"}},
		{11201, 2000, 11190, "collector", "/data/local/tmp/collector", "u:r:shell:s0", []string{"/data/local/tmp/collector", "ps"}},
	}
}

// ProcessesJSON returns a processes.json in one of the collector shapes.
func ProcessesJSON(shape ProcessShape) []byte {
	type goProc struct {
		Pid             int      `json:"pid"`
		UID             int      `json:"uid"`
		Ppid            int      `json:"ppid"`
		Pgroup          int      `json:"pgroup"`
		Psid            int      `json:"psid"`
		Filename        string   `json:"filename"`
		Priority        int      `json:"priority"`
		State           string   `json:"state"`
		UserTime        int      `json:"user_time"`
		KernelTime      int      `json:"kernel_time"`
		Path            string   `json:"path"`
		Context         string   `json:"context"`
		PreviousContext string   `json:"previous_context"`
		CommandLine     []string `json:"command_line"`
		Env             []string `json:"env"`
		Cwd             string   `json:"cwd"`
	}
	var out []goProc
	for _, r := range processRows() {
		p := goProc{Pid: r.pid, UID: r.uid, Ppid: r.ppid, Pgroup: r.pid, Psid: r.pid, Priority: 20, State: "S",
			UserTime: r.pid % 97, KernelTime: r.pid % 13, CommandLine: r.argv}
		switch shape {
		case CollectorGo:
			p.Filename, p.Context = "("+r.comm+")", r.ctx
			if r.argv != nil {
				p.Env, p.Cwd = []string{"ANDROID_DATA=/data", "PATH=/product/bin:/apex/com.android.runtime/bin:/system/bin"}, "/"
			}
		case CollectorRust:
			p.Filename, p.Path = r.comm, r.exe
			if r.argv != nil {
				p.Env, p.Cwd = []string{`"ANDROID_DATA"="/data"`, `"PATH"="/product/bin:/apex/com.android.runtime/bin:/system/bin"`}, "/"
			}
		}
		if p.CommandLine == nil && shape == CollectorRust { // serde writes [], encoding/json null
			p.CommandLine, p.Env = []string{}, []string{}
		}
		out = append(out, p)
	}
	b, _ := json.Marshal(out)
	return append(b, '\n')
}
