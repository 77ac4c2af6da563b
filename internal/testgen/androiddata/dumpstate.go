package androiddata

import (
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"time"
)

const sep = "-------------------------------------------------------------------------------"

// Dumpstate returns the dumpstate text (the bugreport's main dump).
func Dumpstate(o Options) []byte {
	var b bytes.Buffer
	_ = WriteDumpstate(&b, o)
	return b.Bytes()
}

// WriteDumpstate streams the dumpstate text to w (for very large sizes).
func WriteDumpstate(w io.Writer, o Options) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	cw := &countWriter{w: bw}
	p := func(format string, args ...any) { fmt.Fprintf(cw, format+"\n", args...) }
	p("========================================================")
	p("== dumpstate: %s", Acquired.Format("2006-01-02 15:04:05"))
	p("========================================================")
	p("")
	p("Build: UP1A.231005.007")
	p("Build fingerprint: 'google/oriole/oriole:14/UP1A.231005.007/10754064:user/release-keys'")
	p("Bootloader: slider-1.2-10739891")
	p("Kernel: Linux version 5.10.177-android13-4-00003-g6ea2f6db1fd0-ab10786154")
	p("Uptime: up 3 days, 4:11, load average: 8.41, 8.05, 7.99")
	p("Bugreport format version: 2.0")
	p("Dumpstate info: id=1 pid=11201 dry_run=0 parallel_run=1 args=-S -d -z -o /data/user_de/0/com.android.shell/files/bugreports/bugreport")
	p("")
	p("------ SYSTEM PROPERTIES (getprop) ------")
	cw.WriteString(string(Getprop()))
	p("------ 0.031s was the duration of 'SYSTEM PROPERTIES' ------")
	p("------ KERNEL VERSION (uname -a) ------")
	p("Linux localhost 5.10.177-android13-4 #1 SMP PREEMPT Mon Oct 2 12:00:00 UTC 2023 aarch64 Toybox")
	p("------ 0.003s was the duration of 'KERNEL VERSION' ------")
	p("------ PROCESSES AND THREADS (ps -A -T -Z -O pri,nice,rtprio,sched,pcy,time) ------")
	cw.WriteString(processesAndThreads)
	p("------ 0.118s was the duration of 'PROCESSES AND THREADS' ------")
	p("------ SYSTEM LOG (logcat -v threadtime -v printable -v uid -d *:v) ------")
	cw.WriteString(string(Logcat()))
	for i := 0; cw.n < o.DumpstateSize; i++ {
		writeLogFiller(cw, i)
	}
	p("------ 1.204s was the duration of 'SYSTEM LOG' ------")
	p("------ DUMPSYS (/system/bin/dumpsys -T 30000) ------")
	p("Currently running services:")
	for _, s := range []string{"accessibility", "adb", "appops", "batterystats", "dbinfo", "package", "platform_compat", "settings"} {
		p("  %s", s)
	}
	services := []struct {
		name string
		body func() string
	}{
		{"accessibility", func() string { return AccessibilityNew }},
		{"adb", adbSection},
		{"appops", func() string { return appops }},
		{"batterystats", func() string { return batterystats }},
		{"dbinfo", func() string { return dbinfo }},
		{"package", func() string { return packageSection(o) }},
		{"platform_compat", func() string { return platformCompat }},
		{"settings", func() string { return settingsSection }},
	}
	for _, s := range services {
		p("%s", sep)
		p("DUMP OF SERVICE %s:", s.name)
		cw.WriteString(s.body())
		p("--------- 0.012s was the duration of dumpsys %s, ending at: %s", s.name, Acquired.Add(20*time.Second).Format("2006-01-02 15:04:05"))
	}
	p("------ 9.817s was the duration of 'DUMPSYS' ------")
	p("========================================================")
	p("== Board")
	p("========================================================")
	return bw.Flush()
}

type countWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

func (c *countWriter) WriteString(s string) {
	n, _ := c.w.WriteString(s)
	c.n += int64(n)
}

var fillerTags = []string{"ActivityManager", "WifiHAL", "chatty", "NetworkMonitor", "BatteryService", "ConnectivityService", "GnssHAL", "PackageManager"}

func writeLogFiller(cw *countWriter, i int) {
	t := Acquired.Add(-time.Duration(90000-i%90000) * time.Second)
	fmt.Fprintf(cw, "%s.%03d  %5d  %5d %5d I %-16s: filler event %d for package com.example.app%05d state=%d\n",
		t.Format("01-02 15:04:05"), i%1000, 1000, 1200+i%300, 1300+i%700, fillerTags[i%len(fillerTags)], i, i%5000, i%7)
}

// Getprop returns getprop output, with the campaign property planted and a
// look-alike. The security patch is older than six months before Acquired.
func Getprop() []byte {
	props := [][2]string{
		{"dalvik.vm.heapgrowthlimit", "192m"},
		{"gsm.sim.operator.alpha", "Example Mobile"},
		{"gsm.sim.operator.iso-country", "fr"},
		{"persist.sys.timezone", "Europe/Paris"},
		{"ro.boot.serialno", "1A2B3C4D5E6F"},
		{"ro.build.fingerprint", "google/oriole/oriole:14/UP1A.231005.007/10754064:user/release-keys"},
		{"ro.build.version.release", "14"},
		{"ro.build.version.sdk", "34"},
		{"ro.build.version.security_patch", "2023-10-05"},
		{"ro.product.cpu.abi", "arm64-v8a"},
		{"ro.product.locale", "fr-FR"},
		{"ro.product.vendor.manufacturer", "Google"},
		{"ro.product.vendor.model", "Pixel 6"},
		{"ro.product.vendor.name", "oriole"},
		{CampaignProperty, "1"},
		{LookalikeProperty, "1"},
	}
	var b strings.Builder
	for _, kv := range props {
		fmt.Fprintf(&b, "[%s]: [%s]\n", kv[0], kv[1])
	}
	return []byte(b.String())
}

// Logcat returns a few log lines (threadtime format).
func Logcat() []byte {
	var b strings.Builder
	lines := []string{
		"I ActivityManager: Start proc 4242:" + StalkerAppID + "/u0a211 for service {" + StalkerAppID + "/" + StalkerAppID + ".CoreService}",
		"I chromium: [INFO:CONSOLE(1)] loading https://" + LookalikeDomain + "/index.html",
		"W PackageManager: Package " + LookalikeAppID + " requesting permission android.permission.INTERNET",
	}
	for i, l := range lines {
		t := Acquired.Add(-time.Duration(3600-i*60) * time.Second)
		fmt.Fprintf(&b, "%s.%03d  1000  1402  1530 %s\n", t.Format("01-02 15:04:05"), i*7, l)
	}
	return []byte(b.String())
}

// AccessibilityNew is the Android 14+ accessibility dump: the stalkerware
// service is enabled.
var AccessibilityNew = `Service host process PID: 1633
ACCESSIBILITY MANAGER (dumpsys accessibility)

currentUserId=0
User state[
     attributes:{id=0, touchExplorationEnabled=false, serviceHandlesDoubleTap=false}
     shortcut key:{}
     Bound services:{Service[label=System Service, feedbackType[FEEDBACK_GENERIC]]}
     Enabled services:{{` + StalkerAppID + `/` + StalkerAppID + `.AccessService}, {com.google.android.marvin.talkback/com.google.android.marvin.talkback.TalkBackService}}
     Binding services:{}
     Crashed services:{}
]
`

// AccessibilityOld is the older accessibility dump (installed services).
var AccessibilityOld = `ACCESSIBILITY MANAGER (dumpsys accessibility)

User state[attributes:{id=0, currentUser=true
  mIsTouchBlockingEnabled = false
  }
  installed services: {
    0 : com.google.android.marvin.talkback/com.google.android.marvin.talkback.TalkBackService
    1 : ` + StalkerAppID + `/` + StalkerAppID + `.AccessService
  }
  enabled services: {
  }
]
`

// ADB keys: the acquiring host and an unknown second computer.
var (
	HostADBKey    = adbKey("host") + " analyst@forensics-laptop"
	UnknownADBKey = adbKey("other") + " user@unknown-pc"
)

func adbKey(seed string) string {
	raw := make([]byte, 0, 524)
	h := sha256.Sum256([]byte(seed))
	for len(raw) < 524 {
		raw = append(raw, h[:]...)
		h = sha256.Sum256(h[:])
	}
	return base64.StdEncoding.EncodeToString(raw[:524])
}

// ADBFingerprint is the MD5 fingerprint adb shows for a key line.
func ADBFingerprint(keyLine string) string {
	k, _, _ := strings.Cut(keyLine, " ")
	raw, err := base64.StdEncoding.DecodeString(k)
	if err != nil {
		return ""
	}
	sum := md5.Sum(raw)
	var parts []string
	for _, c := range sum {
		parts = append(parts, fmt.Sprintf("%02X", c))
	}
	return strings.Join(parts, ":")
}

func adbSection() string {
	return `ADB MANAGER STATE (dumpsys adb):
{
  debugging_manager={
    connected_to_adb=true
    last_key_received=` + ADBFingerprint(HostADBKey) + `
    user_keys=` + HostADBKey + `
` + UnknownADBKey + `

    keystore=<?xml version='1.0' encoding='utf-8' standalone='yes' ?>
    <keyStore version="1">
    <adbKey key="` + HostADBKey + `" lastConnection="1716213600000" />
    <adbKey key="` + UnknownADBKey + `" lastConnection="1712052000000" />
    </keyStore>

  }
}
`
}

const appops = `Current AppOps Service state:
  Settings:
    top_state_settle_time=+30s0ms

  Uid 0:
    state=cch
    Package com.android.phone:
      MANAGE_IPSEC_TUNNELS (allow):
  Uid 2000:
    state=cch
    Package com.android.shell:
      REQUEST_INSTALL_PACKAGES (allow):
          Access: [fg-s] 2024-04-02 09:58:11.120 (-48d4h5m0s0ms)
  Uid u0a211:
    state=cch
    Package com.ispyoo:
      READ_SMS (allow):
          Access: [bg-s] 2024-05-19 23:10:00.002 (-14h53m11s0ms)
      REQUEST_INSTALL_PACKAGES (allow):
          Access: [fg-s] 2024-04-02 10:01:30.500 (-48d4h1m41s0ms)
  Uid u0a140:
    state=cch
    Package com.whatsapp:
      READ_CONTACTS (allow):
          Access: [top-s] 2024-05-20 08:15:42.300 (-5h47m29s0ms)
      WRITE_SMS (ignore):
          Reject: [fg-s]2024-05-18 12:00:00.000 (-2d2h3m11s0ms)
  Uid u0a150:
    state=cch
    Package org.mozilla.firefox:
      REQUEST_INSTALL_PACKAGES (allow):

`

const batterystats = `Battery History (1% used, 41KB used of 4096KB, 62 strings using 4KB):
                    0 (9) RESET:TIME: 2024-05-18-09-00-00
                    0 (2) 100 status=discharging health=good plug=none temp=250 volt=4310
            +47s645ms (2) 100 +job=u0a211:"com.ispyoo/.sync.UploadJobService"
            +48s731ms (2) 100 -job=u0a211:"com.ispyoo/.sync.UploadJobService"
       +1h26m18s315ms (2) 095 +top=u0a140:"com.whatsapp"
       +1h28m35s053ms (2) 095 -top=u0a140:"com.whatsapp"
       +2h10m00s000ms (2) 093 pkgunin=u0a180:"com.example.flashlight"
       +2h11m00s000ms (2) 093 pkginst=u0a181:"com.example.notes"
    +1d2h00m00s000ms (2) 080 +running +wake_lock=u0a211:"*walarm*:com.ispyoo/.alarm.Heartbeat"

Daily stats:
  Current start time: 2024-05-20-01-00-00
  Next min deadline: 2024-05-21-01-00-00
  Next max deadline: 2024-05-21-03-00-00
  Current daily discharge step durations:
    #0: +3h32m16s12ms to 96 (power-save-off)
  Daily from 2024-05-18-01-00-00 to 2024-05-19-01-00-00:
    Discharge step durations:
      #0: +5m15s53ms to 100 (screen-off, power-save-off, device-idle-off)
    Package changes:
      Update com.whatsapp vers=241010005
      Update com.whatsapp vers=241010005
      Update com.example.notes vers=310
  Daily from 2024-05-19-01-00-00 to 2024-05-20-01-00-00:
    Package changes:
      Update com.example.notes vers=120
      Update com.example.flashlight vers=0
      Update ` + StalkerAppID + ` vers=44

`

const dbinfo = `Applications Database Info:

** Database info for pid 4242 [com.ispyoo] **

Connection pool for /data/user/0/com.ispyoo/databases/upload.db:
  Open: true
  Max connections: 1
  Available primary connection:
    Connection #0:
      isPrimaryConnection: true
      Most recently executed operations:
        0: [2024-05-20 13:58:01.114] [Pid:(4242)]executeForCursorWindow took 2ms - succeeded, sql="SELECT id, body, address FROM pending_sms WHERE uploaded = 0", path=/data/user/0/com.ispyoo/databases/upload.db
        1: [2024-05-20 13:57:59.002] [Pid:(4242)]executeForChangedRowCount took 1ms - succeeded, sql="UPDATE pending_sms SET uploaded = 1 WHERE id = ?", path=/data/user/0/com.ispyoo/databases/upload.db

** Database info for pid 3120 [com.whatsapp] **

Connection pool for /data/user/0/com.whatsapp/databases/msgstore.db:
  Open: true
  Max connections: 4
  Available primary connection:
    Connection #0:
      isPrimaryConnection: true
      Most recently executed operations:
        0: [05-20 13:40:10.500] executeForLong took 0ms - succeeded, sql="PRAGMA page_count;", path=/data/user/0/com.whatsapp/databases/msgstore.db

`

const platformCompat = `ChangeId(180326845; name=OVERRIDE_MIN_ASPECT_RATIO_MEDIUM; disabled; overridable)
ChangeId(183372781; name=ENABLE_RAW_SYSTEM_GALLERY_ACCESS; enableSinceTargetSdk=30)
ChangeId(168419799; name=DOWNSCALED; disabled; packageOverrides={org.torproject.torbrowser=false}; rawOverrides={org.torproject.torbrowser=false, com.ispyoo=false}; overridable)
`

// pkg is one package of the synthetic phone.
type pkg struct {
	Name, Installer, CodePath, Version string
	UID                                int
	System, Disabled                   bool
	First, Updated                     time.Time
	CertSHA1, APKSHA256                string
}

// phonePackages lists the packages of the synthetic phone.
func phonePackages(o Options) []pkg {
	t := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 10, 30, 0, 0, time.UTC) }
	ps := []pkg{
		{Name: "android", Installer: "null", CodePath: "/system/framework/framework-res.apk", UID: 1000, System: true, Version: "14", First: t(2009, 1, 1), Updated: t(2009, 1, 1)},
		{Name: "com.android.shell", Installer: "null", CodePath: "/system/priv-app/Shell", UID: 2000, System: true, Version: "14", First: t(2009, 1, 1), Updated: t(2009, 1, 1)},
		{Name: "com.google.android.gms", Installer: "com.android.vending", CodePath: "/data/app/~~gms==/com.google.android.gms-1==", UID: 10120, System: true, Version: "24.18.17", First: t(2009, 1, 1), Updated: t(2024, 5, 10)},
		{Name: "com.sec.android.soagent", Installer: "null", CodePath: "/system/app/SOAgent", UID: 10090, System: true, Disabled: true, Version: "7.0", First: t(2009, 1, 1), Updated: t(2009, 1, 1)},
		{Name: "com.whatsapp", Installer: "com.android.vending", CodePath: "/data/app/~~wa==/com.whatsapp-2==", UID: 10140, Version: "2.24.10.5", First: t(2022, 3, 4), Updated: t(2024, 5, 18)},
		{Name: "org.mozilla.firefox", Installer: "com.android.vending", CodePath: "/data/app/~~ff==/org.mozilla.firefox-3==", UID: 10150, Version: "126.0", First: t(2023, 1, 9), Updated: t(2024, 5, 14)},
		{Name: "org.fdroid.fdroid", Installer: "com.google.android.packageinstaller", CodePath: "/data/app/~~fd==/org.fdroid.fdroid-4==", UID: 10160, Version: "1.19.1", First: t(2023, 6, 1), Updated: t(2024, 2, 2)},
		{Name: "org.nuclearfog.apollo", Installer: "org.fdroid.fdroid", CodePath: "/data/app/~~ap==/org.nuclearfog.apollo-5==", UID: 10161, Version: "1.4.2", First: t(2023, 6, 2), Updated: t(2023, 6, 2)},
		{Name: "com.topjohnwu.magisk", Installer: "com.google.android.packageinstaller", CodePath: "/data/app/~~mg==/com.topjohnwu.magisk-6==", UID: 10170, Version: "27.0", First: t(2024, 4, 1), Updated: t(2024, 4, 1)},
		{Name: StalkerAppID, Installer: "null", CodePath: "/data/app/~~sp==/" + StalkerAppID + "-7==", UID: 10211, Version: "3.1.4", First: t(2024, 4, 2), Updated: t(2024, 4, 2),
			CertSHA1: StalkerCertSHA1, APKSHA256: StalkerAPKSHA256},
		{Name: LookalikeAppID, Installer: "com.android.vending", CodePath: "/data/app/~~lk==/" + LookalikeAppID + "-8==", UID: 10212, Version: "1.0", First: t(2024, 1, 5), Updated: t(2024, 1, 5)},
	}
	for i := 0; i < o.Packages; i++ {
		ps = append(ps, pkg{Name: fmt.Sprintf("com.example.app%05d", i), Installer: "com.android.vending",
			CodePath: fmt.Sprintf("/data/app/~~f%d==/com.example.app%05d-1==", i, i), UID: 20000 + i,
			Version: "1.0." + fmt.Sprint(i%10), First: t(2023, 1, 1).Add(time.Duration(i) * time.Hour), Updated: t(2024, 1, 1)})
	}
	return ps
}

func packageSection(o Options) string {
	var b strings.Builder
	b.WriteString(`Database versions:
  Internal:
    sdkVersion=34 databaseVersion=3

Verifiers:
  Required: com.android.vending (uid=10019)

Activity Resolver Table:
  Non-Data Actions:
      android.intent.action.MAIN:
        5b3a1f0 com.whatsapp/.Main filter 1e2d3c4
        7c1d2e3 ` + StalkerAppID + `/.ui.HiddenLauncher filter 9f8e7d6
      android.settings.ACCESSIBILITY_SETTINGS:
        8e50848 com.android.settings/.Settings$AccessibilitySettingsActivity filter 17cc2b1

Receiver Resolver Table:
  Non-Data Actions:
      android.provider.Telephony.SMS_RECEIVED:
        417c3b3 com.google.android.apps.messaging/.shared.receiver.SmsReceiver filter 2cc1d4e
        b310d70 ` + StalkerAppID + `/.receivers.SmsListener filter 3dd2e5f
      android.intent.action.PHONE_STATE:
        da90126 ` + StalkerAppID + `/.receivers.CallListener filter 4ee3f60
      android.intent.action.BOOT_COMPLETED:
        d5c0372 com.whatsapp/.BootReceiver filter 5ff4071

Packages:
`)
	for _, p := range phonePackages(o) {
		fmt.Fprintf(&b, "  Package [%s] (%x):\n", p.Name, len(p.Name)*7919)
		fmt.Fprintf(&b, "    userId=%d\n", p.UID)
		fmt.Fprintf(&b, "    pkg=Package{%x %s}\n", p.UID*31, p.Name)
		fmt.Fprintf(&b, "    codePath=%s\n", p.CodePath)
		fmt.Fprintf(&b, "    versionCode=%d minSdk=26 targetSdk=34\n", p.UID*3)
		fmt.Fprintf(&b, "    versionName=%s\n", p.Version)
		flags := "HAS_CODE ALLOW_CLEAR_USER_DATA"
		if p.System {
			flags = "SYSTEM " + flags
		}
		fmt.Fprintf(&b, "    flags=[ %s ]\n", flags)
		fmt.Fprintf(&b, "    timeStamp=%s\n", p.Updated.Format("2006-01-02 15:04:05"))
		fmt.Fprintf(&b, "    lastUpdateTime=%s\n", p.Updated.Format("2006-01-02 15:04:05"))
		if p.Installer != "null" {
			fmt.Fprintf(&b, "    installerPackageName=%s\n", p.Installer)
		}
		fmt.Fprintf(&b, "    pkgFlags=[ %s ]\n", flags)
		b.WriteString("    install permissions:\n      android.permission.INTERNET: granted=true\n")
		enabled := 0
		if p.Disabled {
			enabled = 3
		}
		fmt.Fprintf(&b, "    User 0: ceDataInode=%d installed=true hidden=false suspended=false stopped=false notLaunched=false enabled=%d instant=false virtual=false\n", p.UID*13, enabled)
		fmt.Fprintf(&b, "      firstInstallTime=%s\n", p.First.Format("2006-01-02 15:04:05"))
		if p.Name == StalkerAppID {
			b.WriteString("      runtime permissions:\n        android.permission.READ_SMS: granted=true, flags=[ USER_SET ]\n        android.permission.RECORD_AUDIO: granted=true, flags=[ USER_SET ]\n")
		}
	}
	b.WriteString("\n")
	return b.String()
}
