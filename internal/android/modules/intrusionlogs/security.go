package intrusionlogs

import (
	"regexp"
	"strings"
	"sync"

	"github.com/spyscan/spyscan/internal/android/intrusionlog"
	"github.com/spyscan/spyscan/internal/i18n"
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
		w.Label = i18n.M("android.what." + e.Tag)
		rec.CheckAppID(e.Str("package_name"), w)
	case "adb_shell_cmd":
		checkCommand(rec, e.Str("command"), w)
	case "adb_sync_recv_file", "adb_sync_send_file":
		w.Label = i18n.M("android.what.adb_file")
		rec.CheckPath(e.Str("path"), w)
	default:
		if !intrusionlog.KnownTag(e.Tag) {
			checkGeneric(rec, e, w)
		}
	}
	// device-admin policy events name the admin app
	w.Label = i18n.M("android.what.device_admin")
	rec.CheckAppID(e.Str("admin_package"), w)
}

// checkProcessStart checks a started process: its package (the name before
// the first colon), then, as MVT does, each later colon-separated part as a
// package, else the name against process indicators; and the APK hash.
func checkProcessStart(rec *module.Recorder, e intrusionlog.Event, w module.Where) {
	w.Label = i18n.M("android.what.started_process")
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
	w.Label = i18n.M("android.what.started_apk")
	if h := strings.ToLower(e.Str("apk_hash", "apk_sha256", "apk_sha256_hash")); sha256Hex().MatchString(h) {
		rec.CheckFileHash(h, w)
	}
}

var (
	sha256Hex   = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[0-9a-f]{64}$`) })
	packageLike = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$`) })
)

// checkCommand checks the words of an adb shell command: URLs, absolute
// paths, and package names (also as the package of a component
// "pkg/.Activity"). The whole command is also checked as a package, as MVT
// does.
func checkCommand(rec *module.Recorder, cmd string, w module.Where) {
	w.Label = i18n.M("android.what.adb_command")
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
			if packageLike().MatchString(pkg) && once("a"+pkg) {
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
			rec.Note(i18n.M("android.note.ca_install_failed", "subject", e.Str("subject")))
			return
		}
		flag(rec, w, ReasonCAInstalled, i18n.M("android.title.ca_certificate_installed", "subject", orUnknownMsg(e.Str("subject"))))
	case "cert_validation_failure":
		flag(rec, w, ReasonCertValidation, i18n.M("android.title.certificate_validation_failure", "reason", orUnknownMsg(e.Str("reason", "value"))))
	case "key_integrity_violation":
		flag(rec, w, ReasonKeyIntegrity, i18n.M("android.title.key_integrity_violation", "key", orUnknownMsg(e.Str("key_id", "value"))))
	case "wipe_failure":
		flag(rec, w, ReasonWipeFailure, i18n.M("android.title.wipe_failure"))
	case "crypto_self_test_completed":
		ok, known := e.Success("success")
		if !known {
			ok, known = e.Success("value") // the raw form holds the result alone
		}
		if known && !ok {
			flag(rec, w, ReasonCryptoSelfTestFailed, i18n.M("android.title.crypto_self_test_failed"))
		}
	case "key_generated":
		if ok, known := e.Success("success"); known && !ok && !benignKeyFailures[[2]string{e.Str("key_id"), e.Str("uid")}] {
			rec.Note(i18n.M("android.note.keygen_failed", "key", e.Str("key_id"), "uid", e.Str("uid")))
		}
	case "os_startup":
		if st := strings.ToLower(e.Str("verified_boot_state")); st != "" && st != "green" {
			flag(rec, w, ReasonVerifiedBoot, i18n.M("android.title.verified_boot_not_green", "state", st))
		}
	}
}

// describeSecurity is the timeline text of a security event.
func describeSecurity(e intrusionlog.Event) i18n.Msg {
	s := func(k ...string) string { return e.Str(k...) }
	failed := func() bool {
		ok, known := e.Success("success")
		return known && !ok
	}
	pick := func(yes, no string) string {
		if failed() {
			return no
		}
		return yes
	}
	switch e.Tag {
	case "adb_shell_interactive", "keyguard_dismissed", "keyguard_secured", "os_shutdown":
		return i18n.M("android.il." + e.Tag)
	case "adb_shell_cmd":
		return i18n.M("android.il.adb_shell_cmd", "command", s("command"))
	case "adb_sync_recv_file", "adb_sync_send_file":
		return i18n.M("android.il."+e.Tag, "path", s("path"))
	case "app_process_start":
		return i18n.M("android.il.app_process_start", "process", s("process"), "uid", s("uid"), "pid", s("pid"))
	case "keyguard_dismiss_auth_attempt":
		return i18n.M(pick("android.il.unlock_ok", "android.il.unlock_failed"), "strength", s("method_strength"))
	case "os_startup":
		return i18n.M("android.il.os_startup", "boot", s("verified_boot_state"), "verity", s("dm_verity_mode"))
	case "package_installed", "package_updated", "package_uninstalled":
		return i18n.M("android.il."+e.Tag, "name", s("package_name"), "version", s("version_code"), "user", orUnknownMsg(s("user_id"))) // real exports give a uid, not the user
	case "cert_authority_installed":
		return i18n.M(pick("android.il.ca_installed", "android.il.ca_install_failed"), "subject", s("subject"))
	case "cert_authority_removed":
		return i18n.M(pick("android.il.ca_removed", "android.il.ca_removal_failed"), "subject", s("subject"))
	case "key_generated", "key_import", "key_destruction":
		op := strings.TrimPrefix(strings.TrimPrefix(e.Tag, "key_"), "_")
		return i18n.M(pick("android.il.key_ok", "android.il.key_failed"), "op", op, "key", s("key_id"), "uid", s("uid"))
	case "media_mount", "media_unmount":
		return i18n.M("android.il."+e.Tag, "mount", s("mount_point"), "label", s("volume_label"))
	}
	var name any = strings.ReplaceAll(e.Tag, "_", " ")
	if e.Tag == "" {
		name = i18n.M("android.il.security_event")
	}
	if d := compact(e.Data); d != "" {
		return i18n.M("android.il.tag", "name", name, "data", d)
	}
	return i18n.M("literal", "text", name)
}

// flag raises a MEDIUM alert for a security event of the given identifier.
func flag(rec *module.Recorder, w module.Where, id string, title i18n.Msg) {
	rec.Flag(model.Medium, w, title, i18n.M("android.reason."+id), i18n.M("android.benign."+id))
}

// orUnknownMsg is s, or "unknown" in the report's language.
func orUnknownMsg(s string) any {
	if s == "" {
		return i18n.M("android.unknown")
	}
	return s
}
