// Package known owns the lists of Android package names, installers,
// settings and binaries that the heuristics rely on (root tools, security
// and update packages, app stores, browsers' package installers, dangerous
// settings), and the heuristic findings built from them, shared by the
// bugreport and androidqf modules. Each finding says in plain words why it
// matters and why it may be benign; docs/android-heuristics.md lists them.
package known

import (
	"fmt"
	"slices"

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

// Finding is one heuristic result, ready for rec.Heuristic.
type Finding struct {
	Level   model.Level
	Message string
	Reason  string
	Benign  string
}

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
		out = append(out, Finding{model.Medium,
			fmt.Sprintf("Installed package %q is a tool to root the phone or hide root", p.Name),
			ReasonRootPackage,
			"People root their own phones to customise them; the owner may have installed it knowingly."})
	}
	switch {
	case !p.HasInst:
	case slices.Contains(BrowserInstallers, p.Installer):
		out = append(out, Finding{model.Medium,
			fmt.Sprintf("Package %q was installed from an APK file (installer %q), not from an app store", p.Name, p.Installer),
			ReasonBrowserInstall,
			"Some legitimate apps are distributed as APK downloads (F-Droid, Signal's website build, work apps); check that the owner installed it."})
	case (p.Installer == "null" || p.Installer == "") && !p.System:
		out = append(out, Finding{model.Medium,
			fmt.Sprintf("Non-system package %q has no installer: it was installed over USB (adb) or by another app", p.Name),
			ReasonNullInstaller,
			"Developers and repair shops install apps over adb, and some phones preload apps this way; stalkerware is often installed this way by someone with the phone in hand."})
	case slices.Contains(ThirdPartyStoreInstallers, p.Installer):
		out = append(out, Finding{model.Info,
			fmt.Sprintf("Package %q was installed from a third-party store (%s)", p.Name, p.Installer),
			ReasonThirdPartyStore,
			"Alternative stores such as F-Droid or the vendor's store are common and mostly safe."})
	}
	if p.Disabled && slices.Contains(SecurityPackages, p.Name) {
		out = append(out, Finding{model.Medium,
			fmt.Sprintf("Security package %q is disabled on the phone", p.Name),
			ReasonSecurityDisabled,
			"Users and debloating guides disable vendor agents to save battery or data."})
	}
	if p.Disabled && slices.Contains(UpdatePackages, p.Name) {
		out = append(out, Finding{model.Medium,
			fmt.Sprintf("System update package %q is disabled on the phone", p.Name),
			ReasonUpdateDisabled,
			"Some users disable updates on purpose, and some custom ROMs ship without them."})
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
		benign := "Users change these settings themselves, and some vendors ship other defaults."
		if key == "accessibility_enabled" {
			benign = "Password managers, screen readers, automation and launcher apps legitimately use accessibility services."
		}
		return Finding{model.Medium,
			fmt.Sprintf("Setting %s/%s = %q: %s", namespace, key, value, d.Description),
			ReasonDangerousSetting, benign}, true
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
