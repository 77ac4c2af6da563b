// Package known owns the lists of Android package names, installers,
// settings and binaries that the heuristics rely on (root tools, security
// and update packages, app stores, browsers' package installers, dangerous
// settings), and the heuristic findings built from them, shared by the
// bugreport and androidqf modules. Each finding says in plain words why it
// matters and why it may be benign; docs/android-heuristics.md lists them.
package known

import (
	"slices"
	"strings"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/model"
)

// RootPackages are apps that root a phone or hide root.
var RootPackages = []string{
	"com.noshufou.android.su", "com.noshufou.android.su.elite", "eu.chainfire.supersu",
	"eu.chainfire.supersu.pro", "com.koushikdutta.superuser", "com.thirdparty.superuser",
	"com.yellowes.su", "com.koushikdutta.rommanager", "com.koushikdutta.rommanager.license",
	"com.dimonvideo.luckypatcher", "com.chelpus.lackypatch", "com.ramdroid.appquarantine",
	"com.ramdroid.appquarantinepro", "com.devadvance.rootcloak", "com.devadvance.rootcloakplus",
	"de.robv.android.xposed.installer", "com.saurik.substrate", "com.zachspong.temprootremovejb",
	"com.amphoras.hidemyroot", "com.amphoras.hidemyrootadfree", "com.formyhm.hiderootPremium",
	"com.formyhm.hideroot", "me.phh.superuser", "com.kingouser.com", "com.topjohnwu.magisk",
	"io.github.vvb2060.magisk", "me.weishu.kernelsu", "org.lsposed.manager",
}

// SecurityPackages are vendor security agents that spyware may disable.
var SecurityPackages = []string{
	"com.policydm", "com.samsung.android.app.omcagent",
	"com.samsung.android.securitylogagent", "com.sec.android.soagent",
}

// UpdatePackages deliver system (OTA) updates.
var UpdatePackages = []string{
	"com.android.updater", "com.google.android.gms", "com.huawei.android.hwouc",
	"com.lge.lgdmsclient", "com.motorola.ccc.ota", "com.oneplus.opbackup", "com.oppo.ota",
	"com.transsion.systemupdate", "com.wssyncmldm",
}

// PlayStoreInstallers install from Google Play.
var PlayStoreInstallers = []string{"com.android.vending"}

// ThirdPartyStoreInstallers are common alternative app stores.
var ThirdPartyStoreInstallers = []string{"com.aurora.store", "org.fdroid.fdroid",
	"com.sec.android.app.samsungapps", "com.huawei.appmarket", "com.xiaomi.market", "com.amazon.venezia"}

// BrowserInstallers install APK files opened from a browser or a file manager.
var BrowserInstallers = []string{"com.google.android.packageinstaller", "com.android.packageinstaller"}

// Finding is one heuristic result, ready for rec.Flag: its stable
// identifier (one of the Reason constants) and its texts, as catalog
// messages (why it is suspicious: android.reason.<ID>).
type Finding struct {
	Level  model.Level
	ID     string
	Title  i18n.Msg
	Reason i18n.Msg
	Benign i18n.Msg
}

func finding(level model.Level, id string, title i18n.Msg) Finding {
	return Finding{Level: level, ID: id, Title: title, Reason: ReasonMsg(id), Benign: i18n.M("android.benign." + id)}
}

// ReasonMsg is why a heuristic of this identifier is suspicious.
func ReasonMsg(id string) i18n.Msg { return i18n.M("android.reason." + id) }

// Heuristic reasons (stable identifiers, documented in docs/android-heuristics.md).
const (
	ReasonRootPackage      = "root_package"
	ReasonBrowserInstall   = "installed_from_browser"
	ReasonNullInstaller    = "installed_without_store"
	ReasonThirdPartyStore  = "installed_from_third_party_store"
	ReasonSecurityDisabled = "security_package_disabled"
	ReasonUpdateDisabled   = "update_package_disabled"
	ReasonAccessibility    = "accessibility_service"
	ReasonInstallPackages  = "request_install_packages"
	ReasonShellAppOp       = "shell_app_op"
	ReasonUninstall        = "package_uninstalled"
	ReasonDowngrade        = "package_downgraded"
	ReasonOldPatch         = "security_patch_old"
	ReasonDangerousSetting = "dangerous_setting"
	ReasonPrivilegedCrash  = "privileged_process_crash"
	ReasonTmpFile          = "file_in_data_local_tmp"
	ReasonRootBinary       = "root_binary"
	ReasonSystemRW         = "system_partition_read_write"
	ReasonSuspiciousMount  = "suspicious_mount_option"
	ReasonUnknownADBKey    = "adb_key_not_acquiring_host"
	ReasonADBKeyPresent    = "adb_key_trusted"
	ReasonSMSReceiver      = "sms_receiver"
	ReasonMagiskModule     = "magisk_module"
)

// Package describes an installed package for PackageFindings.
type Package struct {
	Name      string
	Installer string // "" when the record has no installer field
	HasInst   bool   // the record has an installer field
	System    bool
	Disabled  bool
}

// PackageFindings returns the heuristic findings for one installed package.
func PackageFindings(p Package) []Finding {
	var out []Finding
	if slices.Contains(RootPackages, p.Name) {
		out = append(out, finding(model.Medium, ReasonRootPackage, i18n.M("android.title.root_package", "name", p.Name)))
	}
	switch {
	case !p.HasInst:
	case slices.Contains(BrowserInstallers, p.Installer):
		out = append(out, finding(model.Medium, ReasonBrowserInstall,
			i18n.M("android.title.installed_from_browser", "name", p.Name, "installer", p.Installer)))
	case (p.Installer == "null" || p.Installer == "") && !p.System:
		out = append(out, finding(model.Medium, ReasonNullInstaller, i18n.M("android.title.installed_without_store", "name", p.Name)))
	case slices.Contains(ThirdPartyStoreInstallers, p.Installer):
		out = append(out, finding(model.Info, ReasonThirdPartyStore,
			i18n.M("android.title.installed_from_third_party_store", "name", p.Name, "installer", p.Installer)))
	}
	if p.Disabled && slices.Contains(SecurityPackages, p.Name) {
		out = append(out, finding(model.Medium, ReasonSecurityDisabled, i18n.M("android.title.security_package_disabled", "name", p.Name)))
	}
	if p.Disabled && slices.Contains(UpdatePackages, p.Name) {
		out = append(out, finding(model.Medium, ReasonUpdateDisabled, i18n.M("android.title.update_package_disabled", "name", p.Name)))
	}
	return out
}

// DangerousSetting is a setting whose unsafe value weakens the phone.
type DangerousSetting struct {
	Key         string
	SafeValue   string
	Description string
}

// DangerousSettings are the settings MVT flags when not at their safe value.
var DangerousSettings = []DangerousSetting{
	{"verifier_verify_adb_installs", "1", "verification of apps installed over USB (adb) is disabled"},
	{"package_verifier_enable", "1", "Google Play Protect app verification is disabled"},
	{"package_verifier_state", "1", "APK package verification is disabled"},
	{"package_verifier_user_consent", "1", "Google Play Protect scanning consent is off"},
	{"upload_apk_enable", "1", "Google Play Protect upload of unknown apps is disabled"},
	{"adb_install_need_confirm", "1", "confirmation of app installs over adb is disabled"},
	{"send_security_reports", "1", "sharing of security reports is disabled"},
	{"samsung_errorlog_agree", "1", "sharing of crash logs with the manufacturer is disabled"},
	{"send_action_app_error", "1", "application error reports are disabled"},
	{"accessibility_enabled", "0", "accessibility services are enabled"},
	{"install_non_market_apps", "0", "installation of apps from unknown sources is allowed"},
}

// SettingFinding returns the finding for one setting, if it is dangerous.
func SettingFinding(namespace, key, value string) (Finding, bool) {
	for _, d := range DangerousSettings {
		if d.Key != key || d.SafeValue == value {
			continue
		}
		f := finding(model.Medium, ReasonDangerousSetting, i18n.M("android.title.dangerous_setting", "namespace", namespace,
			"key", key, "value", value, "description", i18n.M("android.setting."+d.Key)))
		if key == "accessibility_enabled" {
			f.Benign = i18n.M("android.benign.accessibility_setting")
		}
		return f, true
	}
	return Finding{}, false
}

// RootBinaries maps root-tool file names to a description.
var RootBinaries = map[string]string{
	"su": "SuperUser binary", "busybox": "BusyBox utilities", "supersu": "SuperSU root management",
	"superuser.apk": "Superuser app", "kingouser.apk": "KingRoot app", "supersu.apk": "SuperSU app",
	"magisk": "Magisk root framework", "magiskhide": "Magisk hide utility",
	"magiskinit": "Magisk init binary", "magiskpolicy": "Magisk policy binary",
}

// ComponentSettings are the settings whose value names the apps given a
// role that lets them read the screen, the notifications or the keyboard:
// components ("package/class") separated by ':'.
var ComponentSettings = []string{"enabled_accessibility_services", "enabled_notification_listeners", "enabled_input_methods",
	"default_input_method", "voice_interaction_service", "assistant", "enabled_notification_assistant"}

// SettingApps returns the packages a component setting names, each once,
// in order ("com.a/.Svc:com.b/com.b.Svc" gives com.a and com.b; an input
// method's subtypes after ';' are dropped).
func SettingApps(key, value string) []string {
	if !slices.Contains(ComponentSettings, key) {
		return nil
	}
	var out []string
	for _, c := range strings.Split(value, ":") {
		c, _, _ = strings.Cut(c, ";")
		pkg, _, ok := strings.Cut(strings.TrimSpace(c), "/")
		if ok && pkg != "" && !slices.Contains(out, pkg) {
			out = append(out, pkg)
		}
	}
	return out
}
