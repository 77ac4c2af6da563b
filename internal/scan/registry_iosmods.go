package scan

import (
	"github.com/spyscan/spyscan/internal/ios/modules/analytics"
	"github.com/spyscan/spyscan/internal/ios/modules/applications"
	"github.com/spyscan/spyscan/internal/ios/modules/backupinfo"
	"github.com/spyscan/spyscan/internal/ios/modules/cachefiles"
	"github.com/spyscan/spyscan/internal/ios/modules/configprofiles"
	"github.com/spyscan/spyscan/internal/ios/modules/filesystem"
	"github.com/spyscan/spyscan/internal/ios/modules/globalpreferences"
	"github.com/spyscan/spyscan/internal/ios/modules/iosversionhistory"
	"github.com/spyscan/spyscan/internal/ios/modules/locationdclients"
	"github.com/spyscan/spyscan/internal/ios/modules/manifest"
	"github.com/spyscan/spyscan/internal/ios/modules/osanalyticsaddaily"
	"github.com/spyscan/spyscan/internal/ios/modules/profileevents"
	"github.com/spyscan/spyscan/internal/ios/modules/shutdownlog"
	"github.com/spyscan/spyscan/internal/module"
)

// iosModules lists the iOS modules, one line each.
func iosModules() []module.Module {
	return []module.Module{
		// acquisition-level
		backupinfo.Module{},
		manifest.Module{},
		filesystem.Module{},
		shutdownlog.Module{},
		configprofiles.Module{},
		profileevents.Module{},
		// artifacts
		iosversionhistory.Module{},  // update history from analyticsd journals
		applications.Module{},       // installed apps (Info.plist, iTunesMetadata.plist)
		globalpreferences.Module{},  // Lockdown Mode and other global preferences
		cachefiles.Module{},         // CFNetwork Cache.db URLs
		analytics.Module{},          // Keychains/Analytics strings as processes and URLs
		locationdclients.Module{},   // locationd clients.plist
		osanalyticsaddaily.Module{}, // netUsageBaseline process names
	}
}
