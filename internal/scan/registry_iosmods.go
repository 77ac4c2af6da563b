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
	"github.com/spyscan/spyscan/internal/ios/modules/crashreports"
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
	"github.com/spyscan/spyscan/internal/ios/modules/processes"
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
		backupinfo.New(),
		manifest.New(),
		filesystem.New(),
		shutdownlog.New(),
		processes.New(),    // sysdiagnose ps.txt
		crashreports.New(), // .ips crash, jetsam and stackshot reports
		configprofiles.New(),
		profileevents.New(),
		// artifacts
		iosversionhistory.New(),  // update history from analyticsd journals
		applications.New(),       // installed apps (Info.plist, iTunesMetadata.plist)
		globalpreferences.New(),  // Lockdown Mode and other global preferences
		cachefiles.New(),         // CFNetwork Cache.db URLs
		analytics.New(),          // Keychains/Analytics strings as processes and URLs
		locationdclients.New(),   // locationd clients.plist
		osanalyticsaddaily.New(), // netUsageBaseline process names
		sms.New(),                // sms.db messages and links
		sms.NewAttachments(),     // sms.db attachments
		safarihistory.New(),      // Safari History.db, incl. Profiles
		datausage.NewDataUsage(), // DataUsage.sqlite processes
		datausage.NewNetUsage(),  // netusage.sqlite processes (dumps)
		tcc.New(),                // TCC.db privacy permissions
		calendar.New(),           // Calendar.sqlitedb events and participants
		sessionresourcelog.New(), // WebKit full_browsing_session_resourceLog.plist
		resourceloadstats.New(),  // WebKit observations.db
		idstatuscache.New(),      // identity-services lookup cache
		shortcuts.New(),          // Shortcuts.sqlite action URLs
		interactionc.New(),       // CoreDuet interactionC.db
		calls.New(),              // CallHistory.storedata
		contacts.New(),           // AddressBook.sqlitedb
		whatsapp.NewMessages(),   // WhatsApp ChatStorage.sqlite
		whatsapp.NewContacts(),   // WhatsApp ContactsV2.sqlite
		chromehistory.New(),      // Chrome History
		chromefavicon.New(),      // Chrome Favicons
		firefoxhistory.New(),     // Firefox browser.db history
		firefoxfavicon.New(),     // Firefox browser.db favicons
		safaribrowserstate.New(), // Safari BrowserState.db tabs and sessions
		safarifavicon.New(),      // Safari Favicons.db (dumps)
	}, webkitfolders.Modules()...) // WebKit IndexedDB, LocalStorage, SafariViewService origins
}
