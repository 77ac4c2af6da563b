package intrusionlogs

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/spyscan/spyscan/internal/android/intrusionlog"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
)

// Heuristic reasons of security events (docs/android-heuristics.md).
const (
	ReasonCAInstalled          = "ca_certificate_installed"
	ReasonCertValidation       = "certificate_validation_failure"
	ReasonKeyIntegrity         = "key_integrity_violation"
	ReasonWipeFailure          = "wipe_failure"
	ReasonCryptoSelfTestFailed = "crypto_self_test_failed"
	ReasonVerifiedBoot         = "verified_boot_not_green"
)

// benignKeyFailures are key generation failures Android itself causes
// (as MVT: PinStorage's cross-reboot key for uid 1001).
var benignKeyFailures = map[[2]string]bool{{"PinStorage_crossReboot_key", "1001"}: true}

func checkSecurity(rec *module.Recorder, e intrusionlog.Event, w module.Where) {
	securityHeuristics(rec, e, w)
	switch e.Tag {
	case "app_process_start":
		checkProcessStart(rec, e, w)
	case "package_installed", "package_updated", "package_uninstalled":
		w.What = "Package " + strings.TrimPrefix(e.Tag, "package_")
		rec.CheckAppID(e.Str("package_name"), w)
	case "adb_shell_cmd":
		checkCommand(rec, e.Str("command"), w)
	case "adb_sync_recv_file", "adb_sync_send_file":
		w.What = "File transferred over adb"
		rec.CheckPath(e.Str("path"), w)
	default:
		if !intrusionlog.KnownTag(e.Tag) {
			checkGeneric(rec, e, w)
		}
	}
	// device-admin policy events name the admin app
	w.What = "Device admin app"
	rec.CheckAppID(e.Str("admin_package"), w)
}

// checkProcessStart checks a started process: its package (the name before
// the first colon), then, as MVT does, each later colon-separated part as a
// package, else the name against process indicators; and the APK hash.
func checkProcessStart(rec *module.Recorder, e intrusionlog.Event, w module.Where) {
	w.What = "Started app process"
	proc := e.Str("process")
	parts := strings.Split(proc, ":")
	hit := rec.CheckAppID(parts[0], w)
	for _, p := range parts[1:] {
		if hit {
			break
		}
		hit = p != "" && rec.CheckAppID(p, w)
	}
	if !hit {
		rec.CheckProcess(proc, w)
	}
	w.What = "APK of a started app process"
	if h := strings.ToLower(e.Str("apk_hash", "apk_sha256", "apk_sha256_hash")); sha256Hex.MatchString(h) {
		rec.CheckFileHash(h, w)
	}
}

var (
	sha256Hex   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	packageLike = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$`)
)

// checkCommand checks the words of an adb shell command: URLs, absolute
// paths, and package names (also as the package of a component
// "pkg/.Activity"). The whole command is also checked as a package, as MVT
// does.
func checkCommand(rec *module.Recorder, cmd string, w module.Where) {
	w.What = "adb shell command"
	seen := map[string]bool{}
	once := func(k string) bool {
		if seen[k] {
			return false
		}
		seen[k] = true
		return true
	}
	for _, word := range strings.FieldsFunc(cmd, func(r rune) bool { return r == ' ' || r == '\t' || r == ';' || r == '|' || r == '&' }) {
		word = strings.Trim(word, `"'`+"`")
		switch {
		case strings.Contains(word, "://"):
			if once("u" + word) {
				rec.CheckURL(word, w)
			}
		case strings.HasPrefix(word, "/"):
			if once("p" + word) {
				rec.CheckPath(word, w)
			}
		default:
			pkg, _, _ := strings.Cut(word, "/")
			if packageLike.MatchString(pkg) && once("a"+pkg) {
				rec.CheckAppID(pkg, w)
			}
		}
	}
}

// securityHeuristics raises MVT's alerts on intrinsically suspicious
// security events, whether or not indicators are loaded.
func securityHeuristics(rec *module.Recorder, e intrusionlog.Event, w module.Where) {
	switch e.Tag {
	case "cert_authority_installed":
		ok, known := e.Success("success")
		if known && !ok {
			rec.Note("failed CA certificate install: %s", e.Str("subject"))
			return
		}
		rec.Heuristic(model.Medium, w, fmt.Sprintf("A CA certificate was installed: %s", orUnknown(e.Str("subject"))), ReasonCAInstalled,
			"Work profiles, VPNs, some antivirus and parental-control apps install certificates on purpose; an unknown one lets whoever holds its key read the phone's encrypted traffic.")
	case "cert_validation_failure":
		rec.Heuristic(model.Medium, w, fmt.Sprintf("Certificate validation failure: %s", orUnknown(e.Str("reason", "value"))), ReasonCertValidation,
			"Captive portals, wrong clocks and expired certificates cause validation failures; so do interception attempts.")
	case "key_integrity_violation":
		rec.Heuristic(model.Medium, w, fmt.Sprintf("Key integrity violation: %s", orUnknown(e.Str("key_id", "value"))), ReasonKeyIntegrity,
			"A key store corrupted by a failed update can cause this; so can tampering with the phone's keys.")
	case "wipe_failure":
		rec.Heuristic(model.Medium, w, "A wipe of the phone or of a user failed", ReasonWipeFailure,
			"A wipe may fail for storage reasons; a failed wipe that nobody asked for deserves a question.")
	case "crypto_self_test_completed":
		ok, known := e.Success("success")
		if !known {
			ok, known = e.Success("value") // the raw form holds the result alone
		}
		if known && !ok {
			rec.Heuristic(model.Medium, w, "The cryptographic self test failed", ReasonCryptoSelfTestFailed,
				"Rare hardware or firmware faults make self tests fail; a modified system can too.")
		}
	case "key_generated":
		if ok, known := e.Success("success"); known && !ok && !benignKeyFailures[[2]string{e.Str("key_id"), e.Str("uid")}] {
			rec.Note("failed key generation: %s (uid %s)", e.Str("key_id"), e.Str("uid"))
		}
	case "os_startup":
		if st := strings.ToLower(e.Str("verified_boot_state")); st != "" && st != "green" {
			rec.Heuristic(model.Medium, w, fmt.Sprintf("The phone started with verified boot state %q (not green)", st), ReasonVerifiedBoot,
				"An unlocked bootloader (orange) is normal on phones whose owner installed a custom system; otherwise the system may have been modified.")
		}
	}
}

// describeSecurity is the timeline text of a security event.
func describeSecurity(e intrusionlog.Event) string {
	s := func(k ...string) string { return e.Str(k...) }
	okWord := func(yes, no string) string {
		if ok, known := e.Success("success"); known && !ok {
			return no
		}
		return yes
	}
	switch e.Tag {
	case "adb_shell_interactive":
		return "adb interactive shell opened"
	case "adb_shell_cmd":
		return "adb shell command: " + s("command")
	case "adb_sync_recv_file":
		return "File pulled over adb: " + s("path")
	case "adb_sync_send_file":
		return "File pushed over adb: " + s("path")
	case "app_process_start":
		return fmt.Sprintf("App process started: %s (uid %s, pid %s)", s("process"), s("uid"), s("pid"))
	case "keyguard_dismissed":
		return "Lock screen dismissed"
	case "keyguard_dismiss_auth_attempt":
		return fmt.Sprintf("Unlock attempt %s (method strength %s)", okWord("succeeded", "failed"), s("method_strength"))
	case "keyguard_secured":
		return "Phone locked"
	case "os_startup":
		return fmt.Sprintf("Phone started (verified boot %s, dm-verity %s)", s("verified_boot_state"), s("dm_verity_mode"))
	case "os_shutdown":
		return "Phone shut down"
	case "package_installed", "package_updated", "package_uninstalled":
		return fmt.Sprintf("Package %s: %s (version %s, user %s)", strings.TrimPrefix(e.Tag, "package_"), s("package_name"), s("version_code"), s("user_id"))
	case "cert_authority_installed":
		return fmt.Sprintf("CA certificate %s: %s", okWord("installed", "install failed"), s("subject"))
	case "cert_authority_removed":
		return fmt.Sprintf("CA certificate %s: %s", okWord("removed", "removal failed"), s("subject"))
	case "key_generated", "key_import", "key_destruction":
		return fmt.Sprintf("Key %s %s: %s (uid %s)", strings.TrimPrefix(strings.TrimPrefix(e.Tag, "key_"), "_"), okWord("succeeded", "failed"), s("key_id"), s("uid"))
	case "media_mount", "media_unmount":
		return fmt.Sprintf("%s %s (%s)", strings.ReplaceAll(e.Tag, "_", " "), s("mount_point"), s("volume_label"))
	}
	name := strings.ReplaceAll(e.Tag, "_", " ")
	if name == "" {
		name = "security event"
	}
	if d := compact(e.Data); d != "" {
		return name + ": " + d
	}
	return name
}
