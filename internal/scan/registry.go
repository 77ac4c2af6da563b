package scan

import (
	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/acquire"
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
	"github.com/spyscan/spyscan/internal/android/modules/bugreporttimestamps"
	"github.com/spyscan/spyscan/internal/android/modules/dbinfo"
	"github.com/spyscan/spyscan/internal/android/modules/getprop"
	"github.com/spyscan/spyscan/internal/android/modules/hashes"
	"github.com/spyscan/spyscan/internal/android/modules/mounts"
	"github.com/spyscan/spyscan/internal/android/modules/packages"
	"github.com/spyscan/spyscan/internal/android/modules/platformcompat"
	"github.com/spyscan/spyscan/internal/android/modules/receivers"
	"github.com/spyscan/spyscan/internal/android/modules/rootbinaries"
	"github.com/spyscan/spyscan/internal/android/modules/tombstones"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/modules/pcapmod"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
)

// Openers lists, in order, the recognisers tried on each input. The first
// whose Detect says yes opens it. Add new acquisition kinds here.
func Openers() []acquisition.Opener {
	return []acquisition.Opener{
		pcapfile.Opener{},
		&acquire.QF{}, &acquire.Bugreport{}, &acquire.Backup{}, // androidqf before bugreport: it also has a dumpsys.txt
	}
}

// Modules lists every artifact module. The core runs those whose Applies
// accepts the input kind. Add new modules here, one line each.
func Modules() []module.Module {
	var mods []module.Module
	mods = append(mods, pcapmod.Modules()...)                // network_dns, _tls, _http, _quic, _flows: one shared pass
	mods = append(mods, backupsms.Module{}, hashes.Module{}) // android: backup SMS links, androidqf hashes.csv
	// android: dumpsys sections of the bugreport dumpstate or androidqf dumpsys.txt, one shared pass
	mods = append(mods, dumpmod.Shared(
		accessibility.Module{}, activities.Module{}, adbstate.Module{}, appops.Module{},
		batterydaily.Module{}, batteryhistory.Module{}, dbinfo.Module{}, getprop.Module{},
		packages.Module{}, platformcompat.Module{}, receivers.Module{})...)
	// android: bugreport files
	mods = append(mods, bugreporttimestamps.Module{}, tombstones.Module{})
	// android: androidqf files
	mods = append(mods, aqffiles.Module{}, aqfgetprop.Module{}, aqflogtimestamps.Module{}, aqfpackages.Module{},
		aqfprocesses.Module{}, aqfsettings.Module{}, mounts.Module{}, rootbinaries.Module{})
	return mods
}
