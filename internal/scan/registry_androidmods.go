package scan

import (
	"github.com/spyscan/spyscan/internal/android/dumpmod"
	"github.com/spyscan/spyscan/internal/android/modules/accessibility"
	"github.com/spyscan/spyscan/internal/android/modules/activities"
	"github.com/spyscan/spyscan/internal/android/modules/adbstate"
	"github.com/spyscan/spyscan/internal/android/modules/appops"
	"github.com/spyscan/spyscan/internal/android/modules/aqffiles"
	"github.com/spyscan/spyscan/internal/android/modules/aqfgetprop"
	"github.com/spyscan/spyscan/internal/android/modules/aqflogtimestamps"
	"github.com/spyscan/spyscan/internal/android/modules/aqfpackages"
	"github.com/spyscan/spyscan/internal/android/modules/aqfprocesses"
	"github.com/spyscan/spyscan/internal/android/modules/aqfsettings"
	"github.com/spyscan/spyscan/internal/android/modules/backupsms"
	"github.com/spyscan/spyscan/internal/android/modules/batterydaily"
	"github.com/spyscan/spyscan/internal/android/modules/batteryhistory"
	"github.com/spyscan/spyscan/internal/android/modules/browserhistory"
	"github.com/spyscan/spyscan/internal/android/modules/bugreportmounts"
	"github.com/spyscan/spyscan/internal/android/modules/bugreportprocesses"
	"github.com/spyscan/spyscan/internal/android/modules/bugreporttimestamps"
	"github.com/spyscan/spyscan/internal/android/modules/dbinfo"
	"github.com/spyscan/spyscan/internal/android/modules/dumpsyssettings"
	"github.com/spyscan/spyscan/internal/android/modules/getprop"
	"github.com/spyscan/spyscan/internal/android/modules/hashes"
	"github.com/spyscan/spyscan/internal/android/modules/intrusionlogs"
	"github.com/spyscan/spyscan/internal/android/modules/magiskmodules"
	"github.com/spyscan/spyscan/internal/android/modules/mounts"
	"github.com/spyscan/spyscan/internal/android/modules/packages"
	"github.com/spyscan/spyscan/internal/android/modules/platformcompat"
	"github.com/spyscan/spyscan/internal/android/modules/receivers"
	"github.com/spyscan/spyscan/internal/android/modules/rootbinaries"
	"github.com/spyscan/spyscan/internal/android/modules/samsungsfslogs"
	"github.com/spyscan/spyscan/internal/android/modules/tombstones"
	"github.com/spyscan/spyscan/internal/module"
)

// androidModules lists the Android modules, one line each.
func androidModules() []module.Module {
	// dumpsys sections of the bugreport dumpstate or androidqf dumpsys.txt, one shared pass
	mods := dumpmod.Shared(
		accessibility.New(),
		activities.New(),
		adbstate.New(),
		appops.New(),
		batterydaily.New(),
		batteryhistory.New(),
		dbinfo.New(),
		getprop.New(),
		packages.New(),
		platformcompat.New(),
		receivers.New(),
		dumpsyssettings.New(),    // bugreport only
		bugreportprocesses.New(), // the dumpstate's PROCESSES blocks
	)
	return append(mods,
		// bugreport files
		bugreporttimestamps.New(),
		tombstones.New(),
		bugreportmounts.New(), // FS/proc/mounts, FS/proc/<pid>/mountinfo
		// androidqf files
		aqffiles.New(),
		aqfgetprop.New(),
		aqflogtimestamps.New(),
		aqfpackages.New(),
		aqfprocesses.New(),
		aqfsettings.New(),
		mounts.New(),
		rootbinaries.New(),
		hashes.New(),         // androidqf hashes.csv
		samsungsfslogs.New(), // Samsung framework logs (logs/data/log/sfslog.N.gz)
		magiskmodules.New(),  // Magisk modules (magisk_modules/manifest.json, collected with root)
		browserhistory.New(), // Chromium-family History databases (browser_history/manifest.json, collected with root)
		// Android Intrusion Logs (on their own, or in androidqf)
		intrusionlogs.New(),
		// backup.ab
		backupsms.New(), // links in SMS/MMS backups
	)
}
