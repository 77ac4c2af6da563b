//go:build unix

package cli

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/spyscan/spyscan/internal/testgen/hostile"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// smsBackup writes a plain backup holding only sms.db (with planted hits)
// and returns its folder and the stored path of sms.db.
func smsBackup(t *testing.T, dir string) (string, string) {
	t.Helper()
	p := filepath.Join(dir, "backup")
	if err := iosgen.WriteBackup(context.Background(), p, iosgen.BackupSpec{Files: iosdata.SMS(20)}); err != nil {
		t.Fatal(err)
	}
	return p, filepath.Join(p, smsID())
}

// TestBackupLinkNotFollowed: a file of an iOS backup that is a symbolic
// link out of the backup is not read (the planted hits it leads to are not
// reported), the module says so naming sms.db, and the chain of custody
// lists the link as a link.
func TestBackupLinkNotFollowed(t *testing.T) {
	isolate(t)
	for _, how := range []string{"file", "folder"} {
		t.Run(how, func(t *testing.T) {
			dir := t.TempDir()
			in, sms := smsBackup(t, dir)
			link := sms
			if how == "folder" {
				link = filepath.Dir(sms) // the whole 3d/ folder
			}
			outside := filepath.Join(dir, "outside")
			if err := os.Rename(link, outside); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(outside, link); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, []string{in})
			out := filepath.Join(dir, "out")
			code, stdout, stderr := run(t, "scan", "--quiet", "--no-embedded-iocs", "--no-cache-iocs", "--iocs", writePlanted(t, dir), "--output", out, in)
			if code != ExitInconclusive {
				t.Errorf("exit %d, want %d (sms.db not read)\n%s\n%s", code, ExitInconclusive, stdout, stderr)
			}
			checkReport(t, out, "sms.db", "outside the evidence")
			var alerts []struct{ Module string }
			readJSON(t, filepath.Join(out, "alerts.json"), &alerts)
			for _, a := range alerts {
				if a.Module == "sms" {
					t.Errorf("an alert from sms.db, read through the link: %+v", a)
				}
			}
			var info struct {
				Inputs []struct {
					Files []struct{ Path, Type, Target, SHA256 string }
				}
			}
			readJSON(t, filepath.Join(out, "info.json"), &info)
			listed := false
			for _, f := range info.Inputs[0].Files {
				if f.Type == "symlink" && f.Target == outside && f.SHA256 == "" {
					listed = true
				}
			}
			if !listed {
				t.Errorf("custody does not list the link to %s: %+v", outside, info.Inputs[0].Files)
			}
			if after := snapshot(t, []string{in}); !equalSnap(before, after) {
				t.Error("evidence changed")
			}
		})
	}
}

func writePlanted(t *testing.T, dir string) string {
	p := filepath.Join(dir, "planted.stix2")
	write(t, p, []byte(plantedSTIX))
	return p
}

func equalSnap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestOutputInsideEvidenceRefused: --output in an evidence folder, or in a
// link to it, is refused before anything is written; the evidence is
// unchanged.
func TestOutputInsideEvidenceRefused(t *testing.T) {
	isolate(t)
	dir := t.TempDir()
	in, _ := smsBackup(t, dir)
	alias := filepath.Join(dir, "alias")
	if err := os.Symlink(in, alias); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, []string{in})
	for _, out := range []string{in, filepath.Join(in, "results"), filepath.Join(in, "a", "b"), filepath.Join(alias, "results")} {
		code, _, stderr := run(t, "scan", "--quiet", "--no-embedded-iocs", "--no-cache-iocs", "--iocs", writePlanted(t, dir), "--output", out, in)
		if code != ExitUsage || !strings.Contains(stderr, "inside the evidence") {
			t.Errorf("--output %s: exit %d, %q", out, code, stderr)
		}
		code, _, stderr = run(t, "ios", "decrypt", "--output", out, in)
		if code != ExitUsage || !strings.Contains(stderr, "inside the evidence") && !(out == in && strings.Contains(stderr, "not empty")) {
			t.Errorf("ios decrypt --output %s: exit %d, %q", out, code, stderr)
		}
	}
	if !equalSnap(before, snapshot(t, []string{in})) {
		t.Error("evidence changed")
	}
}

// TestResultFolderPrivate: every folder of a result folder is 0700 and
// every file 0600, whatever the umask.
func TestResultFolderPrivate(t *testing.T) {
	isolate(t)
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	if code, _, stderr := run(t, "scan", "--quiet", "--no-embedded-iocs", "--no-cache-iocs", "--iocs", writePlanted(t, dir), "--output", out, "../../demo/backup.ab"); code != ExitAlerts {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	n := 0
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Fatal(err)
		}
		st, _ := d.Info()
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = fs.ModeDir | 0o700
		}
		if st.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode(), want)
		}
		n++
		return nil
	})
	if n < 5 {
		t.Errorf("only %d entries checked", n)
	}
}

// TestSpecialFilesListedUnreadable: a FIFO where sms.db should be, in a
// dump folder, is reported by the sms module as not a regular file (the
// scan never hangs on a FIFO nor reads it as clean). Devices and FIFOs in
// archives are cases of the hostile corpus (TestHostileCorpus).
func TestSpecialFilesListedUnreadable(t *testing.T) {
	isolate(t)
	cases := []struct {
		name  string
		build func(t *testing.T, dir string) string
	}{
		{"fifo in a dump folder", func(t *testing.T, dir string) string {
			ins, _ := iosDump(iosgen.DumpFolder, "dump")(t, dir)
			p := filepath.Join(ins[0], filepath.FromSlash(hostile.SMSPath))
			if err := os.Remove(p); err != nil {
				t.Fatal(err)
			}
			if err := syscall.Mkfifo(p, 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			return ins[0]
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			in := c.build(t, filepath.Join(dir, "in"))
			before := snapshot(t, []string{in})
			out := filepath.Join(dir, "out")
			code, stdout, stderr := run(t, "scan", "--quiet", "--no-embedded-iocs", "--no-cache-iocs", "--iocs", writePlanted(t, dir), "--output", out, in)
			if code == ExitOK || code == ExitUsage {
				t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
			}
			checkReport(t, out, "sms.db", "not a regular file")
			if !equalSnap(before, snapshot(t, []string{in})) {
				t.Error("evidence changed")
			}
		})
	}
}
