package scan

import (
	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/acquire"
	"github.com/spyscan/spyscan/internal/android/modules/backupsms"
	"github.com/spyscan/spyscan/internal/android/modules/hashes"
	"github.com/spyscan/spyscan/internal/ios/modules/analytics"
	"github.com/spyscan/spyscan/internal/ios/modules/applications"
	"github.com/spyscan/spyscan/internal/ios/modules/cachefiles"
	"github.com/spyscan/spyscan/internal/ios/modules/globalpreferences"
	"github.com/spyscan/spyscan/internal/ios/modules/iosversionhistory"
	"github.com/spyscan/spyscan/internal/ios/modules/locationdclients"
	"github.com/spyscan/spyscan/internal/ios/modules/osanalyticsaddaily"
	"github.com/spyscan/spyscan/internal/ios/modules/webkitfolders"
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
	mods = append(mods, iosversionhistory.Module{})          // ios: update history from analyticsd journals
	mods = append(mods, applications.Module{})               // ios: installed apps (Info.plist, iTunesMetadata.plist)
	mods = append(mods, globalpreferences.Module{})          // ios: Lockdown Mode and other global preferences
	mods = append(mods, cachefiles.Module{})                 // ios: CFNetwork Cache.db URLs
	mods = append(mods, analytics.Module{})                  // ios: Keychains/Analytics strings as processes and URLs
	mods = append(mods, locationdclients.Module{})           // ios: locationd clients.plist
	mods = append(mods, osanalyticsaddaily.Module{})         // ios: netUsageBaseline process names
	mods = append(mods, webkitfolders.Modules()...)          // ios: WebKit IndexedDB, LocalStorage, SafariViewService origins
	return mods
}
