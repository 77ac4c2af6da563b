package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/bugreportprocesses"
	"github.com/spyscan/spyscan/internal/android/pslist"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

// TestGolden reads the PROCESSES AND THREADS block of the generated
// bugreport: the stalkerware app is running (its main thread, and its
// ":remote" process whose name the kernel cut to 15 bytes).
func TestBugreportProcessesGolden(t *testing.T) {
	modtest.GoldenCases(t, bugreportprocesses.New(), modtest.Cases()[:1], func(t *testing.T, _ modtest.Case, res model.ModuleResult) {
		if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
			t.Error("stalkerware app running not detected")
		}
		modtest.NoAlertMentions(t, res, "com.ispyoo.weath")
		modtest.NoAlertMentions(t, res, "gatekeeperd")
		ps := modtest.Records[pslist.Process](t, res)
		if len(ps) != 10 || len(res.Errors) != 0 {
			t.Fatalf("%d rows, errors %+v", len(ps), res.Errors)
		}
		if ps[5].Name != "Signal Catcher" || ps[5].PID != 4242 || ps[5].TID != 4251 || ps[5].Label != "u:r:untrusted_app:s0:c211,c256" {
			t.Errorf("thread row %+v", ps[5])
		}
	})
}

// TestOldDumpstate reads Android 6's three blocks, which list the same
// processes: each row is kept once, the label from the block that has it.
func TestBugreportProcessesOldDumpstate(t *testing.T) {
	dump := "== dumpstate: 2016-05-20 14:03:11\n" +
		"------ PROCESSES (ps -P) ------\n" +
		"USER     PID   PPID  VSIZE  RSS   PCY  WCHAN    PC         NAME\n" +
		"root      1     0     1024   600  fg  SyS_epoll_ 00000000 S /init\n" +
		"u0_a211   4242  690   1500000 90000 fg SyS_epoll_ 00000000 S com.ispyoo\n" +
		"------ 0.020s was the duration of 'PROCESSES' ------\n" +
		"------ PROCESSES AND THREADS (ps -t -p -P) ------\n" +
		"USER     PID   PPID  VSIZE  RSS  PRIO  NICE  RTPRI SCHED  PCY  WCHAN    PC         NAME\n" +
		"root      1     0     1024   600   20    0     0     0     fg  SyS_epoll_ 00000000 S /init\n" +
		"------ 0.030s was the duration of 'PROCESSES AND THREADS' ------\n" +
		"------ PROCESSES (SELINUX LABELS) (ps -Z) ------\n" +
		"LABEL                          USER     PID   PPID  NAME\n" +
		"u:r:init:s0                    root      1     0     /init\n" +
		"------ 0.010s was the duration of 'PROCESSES (SELINUX LABELS)' ------\n"
	res, err := modtest.Run(t, bugreportprocesses.New(), acquisition.AndroidBugreport, map[string][]byte{"dumpstate.txt": []byte(dump)})
	if err != nil {
		t.Fatal(err)
	}
	ps := modtest.Records[pslist.Process](t, res)
	if len(ps) != 2 || ps[0].Name != "/init" || ps[1].Name != androiddata.StalkerAppID || ps[0].Policy != "fg" {
		t.Fatalf("rows %+v", ps)
	}
	if !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
		t.Errorf("stalkerware app not detected: %+v", res.Alerts)
	}
}

func TestBugreportProcessesCut(t *testing.T) {
	res := modtest.CutSection(t, bugreportprocesses.New(), "------ PROCESSES AND THREADS (ps -A -T) ------", "USER PID TID PPID CMD\nu0_a211 4242 4242 690 com.ispyoo\n")
	if len(res.Records) != 1 || !modtest.HasAlert(res, model.Critical, true, androiddata.StalkerAppID) {
		t.Errorf("records %d alerts %+v", len(res.Records), res.Alerts)
	}
}
