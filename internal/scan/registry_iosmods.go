package scan

import (
	"github.com/spyscan/spyscan/internal/ios/modules/analytics"
	"github.com/spyscan/spyscan/internal/ios/modules/applications"
	"github.com/spyscan/spyscan/internal/ios/modules/backupinfo"
	"github.com/spyscan/spyscan/internal/ios/modules/cachefiles"
	"github.com/spyscan/spyscan/internal/ios/modules/calendar"
	"github.com/spyscan/spyscan/internal/ios/modules/calls"
	"github.com/spyscan/spyscan/internal/ios/modules/chromefavicon"
	"github.com/spyscan/spyscan/internal/ios/modules/chromehistory"
	"github.com/spyscan/spyscan/internal/ios/modules/configprofiles"
	"github.com/spyscan/spyscan/internal/ios/modules/contacts"
	"github.com/spyscan/spyscan/internal/ios/modules/datausage"
	"github.com/spyscan/spyscan/internal/ios/modules/filesystem"
	"github.com/spyscan/spyscan/internal/ios/modules/firefoxfavicon"
	"github.com/spyscan/spyscan/internal/ios/modules/firefoxhistory"
	"github.com/spyscan/spyscan/internal/ios/modules/globalpreferences"
	"github.com/spyscan/spyscan/internal/ios/modules/idstatuscache"
	"github.com/spyscan/spyscan/internal/ios/modules/interactionc"
	"github.com/spyscan/spyscan/internal/ios/modules/iosversionhistory"
	"github.com/spyscan/spyscan/internal/ios/modules/locationdclients"
	"github.com/spyscan/spyscan/internal/ios/modules/manifest"
	"github.com/spyscan/spyscan/internal/ios/modules/osanalyticsaddaily"
	"github.com/spyscan/spyscan/internal/ios/modules/profileevents"
	"github.com/spyscan/spyscan/internal/ios/modules/resourceloadstats"
	"github.com/spyscan/spyscan/internal/ios/modules/safaribrowserstate"
	"github.com/spyscan/spyscan/internal/ios/modules/safarifavicon"
	"github.com/spyscan/spyscan/internal/ios/modules/safarihistory"
	"github.com/spyscan/spyscan/internal/ios/modules/sessionresourcelog"
	"github.com/spyscan/spyscan/internal/ios/modules/shortcuts"
	"github.com/spyscan/spyscan/internal/ios/modules/shutdownlog"
	"github.com/spyscan/spyscan/internal/ios/modules/sms"
	"github.com/spyscan/spyscan/internal/ios/modules/tcc"
	"github.com/spyscan/spyscan/internal/ios/modules/webkitfolders"
	"github.com/spyscan/spyscan/internal/ios/modules/whatsapp"
	"github.com/spyscan/spyscan/internal/module"
)

// iosModules lists the iOS modules, one line each.
func iosModules() []module.Module {
	return append([]module.Module{
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
		sms.Module{},                // sms.db messages and links
		sms.Attachments{},           // sms.db attachments
		safarihistory.Module{},      // Safari History.db, incl. Profiles
		datausage.DataUsage{},       // DataUsage.sqlite processes
		datausage.NetUsage{},        // netusage.sqlite processes (dumps)
		tcc.Module{},                // TCC.db privacy permissions
		calendar.Module{},           // Calendar.sqlitedb events and participants
		sessionresourcelog.Module{}, // WebKit full_browsing_session_resourceLog.plist
		resourceloadstats.Module{},  // WebKit observations.db
		idstatuscache.Module{},      // identity-services lookup cache
		shortcuts.Module{},          // Shortcuts.sqlite action URLs
		interactionc.Module{},       // CoreDuet interactionC.db
		calls.Module{},              // CallHistory.storedata
		contacts.Module{},           // AddressBook.sqlitedb
		whatsapp.Messages{},         // WhatsApp ChatStorage.sqlite
		whatsapp.Contacts{},         // WhatsApp ContactsV2.sqlite
		chromehistory.Module{},      // Chrome History
		chromefavicon.Module{},      // Chrome Favicons
		firefoxhistory.Module{},     // Firefox browser.db history
		firefoxfavicon.Module{},     // Firefox browser.db favicons
		safaribrowserstate.Module{}, // Safari BrowserState.db tabs and sessions
		safarifavicon.Module{},      // Safari Favicons.db (dumps)
	}, webkitfolders.Modules()...) // WebKit IndexedDB, LocalStorage, SafariViewService origins
}
