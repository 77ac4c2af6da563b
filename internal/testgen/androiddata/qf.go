package androiddata

import (
	"bytes"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// Bugreport returns the files of a bugreport (zip or folder contents).
func Bugreport(o Options) map[string][]byte {
	name := "bugreport-oriole-UP1A.231005.007-2024-05-20-14-03-11.txt"
	return map[string][]byte{
		"main_entry.txt":                          []byte(name),
		name:                                      Dumpstate(o),
		"version.txt":                             []byte("2.0"),
		"FS/data/tombstones/tombstone_00":         TombstoneText(),
		"FS/data/tombstones/tombstone_01.pb":      TombstoneProto(),
		"FS/data/misc/adb/adb_keys":               []byte(HostADBKey + "\n" + UnknownADBKey + "\n"),
		"FS/data/misc/logd/event-log":             []byte("event log\n"),
		"FS/proc/mounts":                          []byte(strings.Join(mountLines(), "\n") + "\n"),
		"FS/proc/1/mountinfo":                     []byte(mountinfo),
		"FS/proc/4242/mountinfo":                  []byte(mountinfo),
		"FS/data/anr/anr_2024-05-19-22-10-01-123": []byte("----- pid 4242 at 2024-05-19 22:10:01 -----\nCmd line: com.ispyoo\n"),
		"FS/data/system/dropbox/event_data@1.txt": []byte("dropbox\n"),
		"FS/data/misc/bluetooth/logs/btsnoop_hci": []byte("btsnoop\x00"),
	}
}

// AndroidQF returns the files of an androidqf acquisition folder.
func AndroidQF(o Options) map[string][]byte {
	m := map[string][]byte{
		"acquisition.json":    acquisitionJSON(),
		"packages.json":       PackagesJSON(o),
		"getprop.txt":         Getprop(),
		"processes.txt":       Processes(),
		"settings_system.txt": []byte("screen_brightness=102\nvolume_ring=5\n"),
		"settings_secure.txt": []byte("accessibility_enabled=1\nenabled_accessibility_services=" + StalkerAppID + "/" + StalkerAppID + ".AccessService\nandroid_id=8f7a6b5c4d3e2f10\ninstall_non_market_apps=0\n"),
		"settings_global.txt": []byte("package_verifier_enable=0\nverifier_verify_adb_installs=1\nadb_enabled=1\nupload_apk_enable=1\n"),
		"dumpsys.txt":         DumpsysQF(o),
		"files.json":          FilesJSON(o),
		"root_binaries.json":  []byte("[\n  \"/system/xbin/su\",\n  \"/data/local/tmp/magisk\"\n]\n"),
		"mounts.json":         mountsJSON(),
		"logcat.txt":          Logcat(),
		"selinux.txt":         []byte("Enforcing\n"),
		"env.txt":             []byte("PATH=/product/bin:/apex/com.android.runtime/bin:/system/bin\nTMPDIR=/data/local/tmp\n"),
		"logs/dropbox.txt":    []byte("dropbox entries\n"),
		"logs/last_kmsg":      []byte("kmsg\n"),
		"command.log":         []byte("INFO started\n"),
		"services.txt":        []byte("Found 2 services:\n0\tadb: []\n1\tpackage: [android.content.pm.IPackageManager]\n"),
		"tmp/.keep":           nil,
		"apks/.keep":          nil,
	}
	if o.Processes != "" {
		delete(m, "processes.txt")
		m["processes.json"] = ProcessesJSON(o.Processes)
	}
	return m
}

func acquisitionJSON() []byte {
	a := map[string]any{
		"uuid":                "3f1c2b9e-8d7a-4e6f-9b0c-1a2d3e4f5a6b",
		"androidqf_version":   "1.7.0",
		"storage_path":        "/home/analyst/androidqf/3f1c2b9e-8d7a-4e6f-9b0c-1a2d3e4f5a6b",
		"started":             Acquired,
		"completed":           Acquired.Add(4 * time.Minute),
		"collector":           nil,
		"tmp_dir":             "/data/local/tmp/",
		"sdcard":              "/sdcard/",
		"cpu":                 "arm64-v8a",
		"adb_host_public_key": HostADBKey,
	}
	b, _ := json.MarshalIndent(a, "", " ")
	return b
}

// DumpsysQF is androidqf's dumpsys.txt: plain dumpsys output (no bugreport
// blocks), with the older accessibility format.
func DumpsysQF(o Options) []byte {
	var b bytes.Buffer
	b.WriteString("Currently running services:\n  accessibility\n  adb\n  appops\n  batterystats\n  dbinfo\n  package\n  platform_compat\n")
	for _, s := range []struct{ name, body string }{
		{"accessibility", AccessibilityOld},
		{"adb", adbSection()},
		{"appops", appops},
		{"batterystats", batterystats},
		{"dbinfo", dbinfo},
		{"package", packageSection(o)},
		{"platform_compat", platformCompat},
	} {
		fmt.Fprintf(&b, "%s\nDUMP OF SERVICE %s:\n%s--------- 0.010s was the duration of dumpsys %s, ending at: %s\n",
			sep, s.name, s.body, s.name, Acquired.Add(time.Minute).Format("2006-01-02 15:04:05"))
	}
	return b.Bytes()
}

func hexSum(h interface {
	io.Writer
	Sum([]byte) []byte
}, s string) string {
	io.WriteString(h, s)
	return hex.EncodeToString(h.Sum(nil))
}

// PackagesJSON returns androidqf's packages.json. One package has "files":
// null and one file has no certificate, as real acquisitions do.
func PackagesJSON(o Options) []byte {
	type cert struct {
		Md5                string `json:"Md5"`
		Sha1               string `json:"Sha1"`
		Sha256             string `json:"Sha256"`
		ValidFrom          string `json:"ValidFrom"`
		ValidTo            string `json:"ValidTo"`
		Issuer             string `json:"Issuer"`
		Subject            string `json:"Subject"`
		SignatureAlgorithm string `json:"SignatureAlgorithm"`
		SerialNumber       int64  `json:"SerialNumber"`
	}
	type file struct {
		Path                string `json:"path"`
		LocalName           string `json:"local_name"`
		MD5                 string `json:"md5"`
		SHA1                string `json:"sha1"`
		SHA256              string `json:"sha256"`
		SHA512              string `json:"sha512"`
		Error               string `json:"error"`
		VerifiedCertificate bool   `json:"verified_certificate"`
		Certificate         *cert  `json:"certificate"`
		CertificateError    string `json:"certificate_error"`
		TrustedCertificate  bool   `json:"trusted_certificate"`
	}
	type entry struct {
		Name       string  `json:"name"`
		Files      *[]file `json:"files"`
		Installer  string  `json:"installer"`
		UID        int     `json:"uid"`
		Disabled   bool    `json:"disabled"`
		System     bool    `json:"system"`
		ThirdParty bool    `json:"third_party"`
	}
	var out []entry
	for _, p := range phonePackages(o) {
		apk := p.CodePath + "/base.apk"
		f := file{Path: apk, MD5: hexSum(md5.New(), apk), SHA1: hexSum(sha1.New(), apk), SHA256: hexSum(sha256.New(), apk),
			VerifiedCertificate: true, TrustedCertificate: !p.System}
		if p.APKSHA256 != "" {
			f.SHA256 = p.APKSHA256
		}
		subj := "C=US, O=" + p.Name + ", CN=" + p.Name
		c := &cert{Md5: hexSum(md5.New(), "cert"+p.Name), Sha1: hexSum(sha1.New(), "cert"+p.Name), Sha256: hexSum(sha256.New(), "cert"+p.Name),
			ValidFrom: "2020-01-01T00:00:00Z", ValidTo: "2050-01-01T00:00:00Z", Issuer: subj, Subject: subj,
			SignatureAlgorithm: "SHA256-RSA", SerialNumber: int64(p.UID) * 7}
		if p.CertSHA1 != "" {
			c.Sha1 = p.CertSHA1
		}
		f.Certificate = c
		if p.Name == "org.nuclearfog.apollo" {
			f.Certificate = nil
			f.CertificateError = "failed to parse certificate"
		}
		files := &[]file{f}
		if p.Name == "android" {
			files = nil
		}
		out = append(out, entry{Name: p.Name, Files: files, Installer: p.Installer, UID: p.UID,
			Disabled: p.Disabled, System: p.System, ThirdParty: !p.System})
	}
	b, _ := json.MarshalIndent(out, "", "    ")
	return b
}

// Processes returns `ps -A` output (processes.txt).
func Processes() []byte {
	rows := []struct {
		user           string
		pid, ppid      int
		wchan, s, name string
	}{
		{"root", 1, 0, "do_epoll_wait", "S", "init"},
		{"root", 2, 0, "kthreadd", "S", "[kthreadd]"},
		{"system", 1402, 1, "do_epoll_wait", "S", "system_server"},
		{"u0_a140", 3120, 690, "do_epoll_wait", "S", "com.whatsapp"},
		{"u0_a211", 4242, 690, "do_epoll_wait", "S", StalkerAppID},
		{"u0_a212", 4300, 690, "do_epoll_wait", "S", LookalikeAppID},
		{"root", 5120, 1, "do_sys_poll", "S", "gatekeeperd"},
		{"shell", 11201, 11190, "0", "R", "ps"},
	}
	var b strings.Builder
	b.WriteString("USER           PID  PPID        VSZ    RSS WCHAN            ADDR S NAME\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-10s %8d %5d %10d %6d %-16s %4d %s %s\n", r.user, r.pid, r.ppid, 12000000+r.pid, 80000+r.pid, r.wchan, 0, r.s, r.name)
	}
	return []byte(b.String())
}

// FileEntry is one files.json record.
type FileEntry struct {
	Path         string `json:"path"`
	Size         int64  `json:"size"`
	Mode         string `json:"mode"`
	UserID       int    `json:"user_id"`
	UserName     string `json:"user_name"`
	GroupID      int    `json:"group_id"`
	GroupName    string `json:"group_name"`
	ChangedTime  int64  `json:"changed_time"`
	ModifiedTime int64  `json:"modified_time"`
	AccessTime   int64  `json:"access_time"`
	Error        string `json:"error"`
	Context      string `json:"context"`
	SHA1         string `json:"sha1"`
	SHA256       string `json:"sha256"`
	SHA512       string `json:"sha512"`
	MD5          string `json:"md5"`
}

// FilesJSON returns files.json (one JSON array), with the campaign path and
// hash planted.
func FilesJSON(o Options) []byte {
	base := Acquired.Unix()
	fs := []FileEntry{
		{Path: CampaignPath, Size: 182312, Mode: "-rwxr-xr-x", UserID: 2000, GroupID: 2000, ChangedTime: base - 86400*40, ModifiedTime: base - 86400*40, AccessTime: base - 3600,
			Context: "u:object_r:shell_data_file:s0", SHA256: "d07c495d093b60de69e0f612a0d3bd75144532e377153b1c1b9128092e9d4f93"},
		{Path: "/data/local/tmp/collector", Size: 3012, Mode: "-rwxr-xr-x", UserID: 2000, GroupID: 2000, ChangedTime: base - 300, ModifiedTime: base - 300, AccessTime: base - 300,
			Context: "u:object_r:shell_data_file:s0"},
		{Path: "/data/local/tmp/notes.txt", Size: 12, Mode: "-rw-r--r--", UserID: 2000, GroupID: 2000, ChangedTime: base - 86400*2, ModifiedTime: base - 86400*2, AccessTime: base - 86400*2,
			Context: "u:object_r:shell_data_file:s0", SHA256: hexSum(sha256.New(), "notes")},
		{Path: LookalikePath, Size: 1000, Mode: "-rw-rw----", UserID: 10140, GroupID: 1015, ChangedTime: base - 86400*3, ModifiedTime: base - 86400*3, AccessTime: base - 86400,
			Context: "u:object_r:media_rw_data_file:s0", SHA256: hexSum(sha256.New(), "lookalike")},
		{Path: "/sdcard/DCIM/Camera/IMG_20240519_101010.jpg", Size: 2345678, Mode: "-rw-rw----", UserID: 10089, GroupID: 1015, ChangedTime: base - 86400, ModifiedTime: base - 86400, AccessTime: base - 86400,
			Context: "u:object_r:media_rw_data_file:s0"},
	}
	var b bytes.Buffer
	b.WriteString("[")
	enc := func(f FileEntry) {
		j, _ := json.Marshal(f)
		b.Write(j)
	}
	for i, f := range fs {
		if i > 0 {
			b.WriteString(",")
		}
		enc(f)
	}
	for i := 0; i < o.Files; i++ {
		b.WriteString(",")
		enc(FileEntry{Path: fmt.Sprintf("/sdcard/Android/data/com.example.app%05d/cache/file%06d.bin", i%5000, i), Size: int64(i % 65536),
			Mode: "-rw-rw----", UserID: 10000 + i%5000, GroupID: 1015, ChangedTime: base - int64(i), ModifiedTime: base - int64(i), AccessTime: base - int64(i),
			Context: "u:object_r:media_rw_data_file:s0", SHA256: fmt.Sprintf("%064x", i+1)})
	}
	b.WriteString("]")
	return b.Bytes()
}

func mountLines() []string {
	return []string{
		"/dev/block/dm-0 on / type ext4 (ro,seclabel,relatime)",
		"/dev/block/dm-1 on /system type ext4 (rw,seclabel,relatime)",
		"/dev/block/dm-2 on /vendor type ext4 (ro,seclabel,noatime)",
		"/dev/block/dm-3 on /product type ext4 (ro,seclabel,noatime)",
		"/dev/block/dm-4 /system_ext ext4 ro,seclabel,relatime 0 0",
		"/dev/block/by-name/userdata on /data type f2fs (rw,lazytime,seclabel,nosuid,nodev,noatime)",
		"tmpfs on /system/bin/magisk type tmpfs (rw,seclabel,relatime,size=1000k)",
	}
}

func mountsJSON() []byte {
	b, _ := json.MarshalIndent(mountLines(), "", "  ")
	return b
}
