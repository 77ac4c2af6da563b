package live_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/acquire"
	"github.com/spyscan/spyscan/internal/android/acquire/live"
	"github.com/spyscan/spyscan/internal/android/adb"
	"github.com/spyscan/spyscan/internal/android/adb/fakeadb"
	"github.com/spyscan/spyscan/internal/android/modules/hashes"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

const bugreportPath = "/data/user_de/0/com.android.shell/files/bugreports/bugreport-oriole-2024-05-20-14-03-11.zip"

// phone scripts a device answering the commands the acquisition runs.
func phone() *fakeadb.Device {
	o := androiddata.Options{}
	br := androidgen.ZipBytes(androidgen.Files(androiddata.Bugreport(o)), false)
	answers := map[string]string{
		"getprop":                               string(androiddata.Getprop()),
		"ps -A":                                 string(androiddata.Processes()),
		"service list":                          "Found 1 services:\n0\tpackage: [android.content.pm.IPackageManager]\n",
		"getenforce":                            "Enforcing\n",
		"env":                                   "PATH=/system/bin\n",
		"dumpsys":                               string(androiddata.DumpsysQF(o)),
		"cmd settings list system":              "screen_brightness=102\n",
		"cmd settings list secure":              "accessibility_enabled=1\n",
		"cmd settings list global":              "package_verifier_enable=0\n",
		"pm list packages -U -u -i":             "package:com.android.vending uid:10020 installer=null\npackage:" + androiddata.StalkerAppID + " uid:10234 installer=com.android.chrome\npackage:com.example.app uid:10300 installer=com.android.vending\n",
		"pm list packages -d":                   "",
		"pm list packages -s":                   "package:com.android.vending\n",
		"pm list packages -3":                   "package:" + androiddata.StalkerAppID + "\npackage:com.example.app\n",
		"which -a su 2>/dev/null":               "/system/xbin/su\n",
		"mount":                                 "/dev/block/dm-0 on / type ext4 (ro,seclabel)\n",
		"cat /proc/mounts":                      "/dev/block/dm-0 / ext4 ro,seclabel 0 0\n",
		"bugreportz":                            "OK:" + bugreportPath + "\n",
		"logcat -d -b all '*:V'":                string(androiddata.Logcat()),
		"logcat -L -b all '*:V'":                "",
		"find '/data/anr/' -type f 2>/dev/null": "/data/anr/anr_2024-05-19\n/data/anr/../../etc/passwd\n",
	}
	return &fakeadb.Device{Serial: "R58M123", Info: "model:Pixel_6",
		Backup: androidgen.Backup(androidgen.BackupContents(), androidgen.BackupOptions{}),
		Files: map[string][]byte{bugreportPath: br,
			"/data/app/~~x/" + androiddata.StalkerAppID + "-1/base.apk": androidgen.APK(androiddata.StalkerAppID, "v2"),
			"/data/app/~~x/com.example.app-1/base.apk":                  androidgen.APK("com.example.app", "v1"), "/data/anr/anr_2024-05-19": []byte("anr trace\n"), "/proc/last_kmsg": []byte("kmsg\n")},
		Shell: func(cmd string) (string, bool) {
			if a, ok := answers[cmd]; ok {
				return a, true
			}
			switch {
			case strings.HasPrefix(cmd, "echo '== "):
				var b strings.Builder
				for _, part := range strings.Split(cmd, "; ") {
					if n, ok := strings.CutPrefix(part, "echo '== "); ok {
						n = strings.TrimSuffix(n, "'")
						fmt.Fprintf(&b, "== %s\npackage:/data/app/~~x/%s-1/base.apk\n", n, n)
					}
				}
				return b.String(), true
			case strings.HasPrefix(cmd, "sha256sum "), strings.HasPrefix(cmd, "sha1sum "), strings.HasPrefix(cmd, "md5sum "):
				var b strings.Builder
				for _, q := range strings.Fields(strings.TrimSuffix(cmd, " 2>/dev/null"))[1:] {
					p := strings.Trim(q, "'")
					sum := strings.Repeat("ab", 32)
					if strings.Contains(p, androiddata.StalkerAppID+"-1") && strings.HasPrefix(cmd, "sha256") {
						sum = androiddata.StalkerAPKSHA256
					}
					fmt.Fprintf(&b, "%s  %s\n", sum, p)
				}
				return b.String(), true
			case strings.HasPrefix(cmd, "find '/sdcard/'"):
				return "1716212591.0 660 36 u0_a123 media_rw /sdcard/Download/my file.pdf\n1716212592.5 755 10 shell shell /sdcard/x\n", true
			case strings.HasPrefix(cmd, "find "), strings.HasPrefix(cmd, "which "):
				return "", true
			}
			return "", false
		}}
}

func acquireFrom(t *testing.T, dev *fakeadb.Device, serial string) (string, *fakeadb.Server, *live.Info, error) {
	t.Helper()
	s, err := fakeadb.Start(dev, &fakeadb.Device{Serial: "emulator-5554", State: "unauthorized"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	out := filepath.Join(t.TempDir(), "acq")
	key := filepath.Join(t.TempDir(), "adbkey.pub")
	os.WriteFile(key, []byte(androiddata.HostADBKey+"\n"), 0o600)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	info, err := live.Acquire(ctx, live.Options{Output: out, Serial: serial, Client: &adb.Client{Addr: s.Addr()}, Bugreport: true, BackupSMS: true,
		Version: "test", HostKeyPath: key, Now: func() time.Time { return androiddata.Acquired }})
	return out, s, info, err
}

func TestAcquireThenScan(t *testing.T) {
	out, srv, info, err := acquireFrom(t, phone(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Errors) != 0 {
		t.Errorf("errors: %q", info.Errors)
	}
	// Read-only files, the androidqf layout.
	for _, rel := range []string{"acquisition.json", "command.log", "hashes.csv", "getprop.txt", "packages.json", "processes.txt",
		"settings_secure.txt", "dumpsys.txt", "files.json", "root_binaries.json", "mounts.json", "logcat.txt",
		"bugreport.zip", "backup.ab", "logs/data/anr/anr_2024-05-19", "logs/proc/last_kmsg"} {
		st, err := os.Stat(filepath.Join(out, rel))
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if st.Mode().Perm() != 0o400 {
			t.Errorf("%s: mode %v", rel, st.Mode())
		}
	}
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if strings.Contains(p, "passwd") {
			t.Errorf("escaping log path written: %s", p)
		}
		return nil
	})
	// Nothing that writes to the phone.
	for _, r := range srv.Requests() {
		if strings.HasPrefix(r, "backup:") && r != "backup: '-nocompress' 'com.android.providers.telephony'" {
			t.Errorf("unexpected backup request %q", r)
		}
		for _, bad := range []string{"install", "settings put", "push", "SEND", "rm ", "pm uninstall", "pm disable", "setprop"} {
			if strings.Contains(r, bad) {
				t.Errorf("request %q contains %q", r, bad)
			}
		}
	}
	// packages.json has the hashes and the flags.
	var pkgs []live.Package
	b, _ := os.ReadFile(filepath.Join(out, "packages.json"))
	if err := json.Unmarshal(b, &pkgs); err != nil || len(pkgs) != 3 {
		t.Fatalf("packages %v %d", err, len(pkgs))
	}
	var stalker live.Package
	for _, p := range pkgs {
		if p.Name == androiddata.StalkerAppID {
			stalker = p
		}
	}
	if stalker.Name != androiddata.StalkerAppID || !stalker.ThirdParty || stalker.Installer != "com.android.chrome" ||
		len(stalker.Files) != 1 || stalker.Files[0].SHA256 != androiddata.StalkerAPKSHA256 || stalker.UID != 10234 {
		t.Errorf("stalker package %+v", stalker)
	}
	for _, p := range pkgs {
		if p.Name == "com.android.vending" {
			if p.Files[0].LocalName != "" {
				t.Errorf("system APK pulled: %+v", p.Files[0])
			}
			continue
		}
		f := p.Files[0]
		c, _ := f.Certificate.(map[string]any)
		if f.LocalName != "apks/"+p.Name+"_base.apk" || c == nil || c["Subject"] != "CN="+p.Name+",O="+p.Name || f.Error != "" {
			t.Errorf("%s: APK not pulled or certificate not read: %+v", p.Name, f)
		}
		if _, err := os.Stat(filepath.Join(out, f.LocalName)); err != nil {
			t.Error(err)
		}
	}
	var files []live.FileEntry
	b, _ = os.ReadFile(filepath.Join(out, "files.json"))
	if json.Unmarshal(b, &files) != nil || len(files) != 2 || files[0].Path != "/sdcard/Download/my file.pdf" || files[0].Size != 36 {
		t.Errorf("files %+v", files)
	}
	// spyscan's opener accepts the folder and the hashes verify.
	q := &acquire.QF{}
	if k, ok := q.Detect(context.Background(), out); !ok || k != acquisition.AndroidQF {
		t.Fatal("acquisition not recognised as androidqf")
	}
	acq, err := q.Open(context.Background(), out, acquisition.AndroidQF, acquisition.Options{TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer acq.Close()
	for _, p := range []string{"bugreport/main_entry.txt", "backup/" + androidgen.SMSBackupPath} {
		if _, err := fs.Stat(acq.FS, p); err != nil {
			t.Errorf("nested container not mounted: %v", err)
		}
	}
	rec := module.NewRecorder(hashes.Name, nil, nil)
	if err := (hashes.New()).Run(context.Background(), &module.Input{Acq: acq}, rec); err != nil {
		t.Fatal(err)
	}
	res := rec.Result()
	if len(res.Alerts) != 0 || len(res.Errors) != 0 || res.Seen < 15 {
		t.Errorf("hashes: %d seen, alerts %+v, errors %+v", res.Seen, res.Alerts, res.Errors)
	}
}

func TestDeviceChoice(t *testing.T) {
	for _, tc := range []struct {
		name, serial, want string
	}{
		{"unauthorised", "emulator-5554", "unauthorized"},
		{"absent", "nope", "not connected"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := acquireFrom(t, phone(), tc.serial)
			if !errors.Is(err, live.ErrNoDevice) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v", err)
			}
		})
	}
}

func TestStepFailuresRecorded(t *testing.T) {
	dev := phone()
	dev.Backup = nil // the device refuses the backup service
	inner := dev.Shell
	dev.Shell = func(cmd string) (string, bool) {
		if cmd == "bugreportz" {
			return "FAIL:Could not take bugreport\n", true
		}
		return inner(cmd)
	}
	out, _, info, err := acquireFrom(t, dev, "R58M123")
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Errors) != 2 || !strings.Contains(info.Errors[1], "backup not supported") || !strings.Contains(info.Errors[0], "Could not take bugreport") {
		t.Errorf("errors %q", info.Errors)
	}
	for _, f := range []string{"bugreport.zip", "backup.ab"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			t.Errorf("%s written", f)
		}
	}
}

func TestParsers(t *testing.T) {
	ps := live.ParsePackageList("package:a.b installer=null uid:1000\npackage:c uid:10001,10002\ngarbage\n\npackage:a.b uid:1\n")
	if len(ps) != 2 || ps[0].Name != "a.b" || ps[0].UID != 1000 || ps[0].Installer != "null" || ps[1].UID != 10001 {
		t.Errorf("%+v", ps)
	}
	if _, ok := live.ParseFindLine("1.5 644 3 root root relative"); ok {
		t.Error("relative path accepted")
	}
}
