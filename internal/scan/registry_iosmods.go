package scan

import (
	"github.com/spyscan/spyscan/internal/ios/modules/calendar"
	"github.com/spyscan/spyscan/internal/ios/modules/calls"
	"github.com/spyscan/spyscan/internal/ios/modules/chromefavicon"
	"github.com/spyscan/spyscan/internal/ios/modules/chromehistory"
	"github.com/spyscan/spyscan/internal/ios/modules/contacts"
	"github.com/spyscan/spyscan/internal/ios/modules/datausage"
	"github.com/spyscan/spyscan/internal/ios/modules/firefoxfavicon"
	"github.com/spyscan/spyscan/internal/ios/modules/firefoxhistory"
	"github.com/spyscan/spyscan/internal/ios/modules/idstatuscache"
	"github.com/spyscan/spyscan/internal/ios/modules/interactionc"
	"github.com/spyscan/spyscan/internal/ios/modules/resourceloadstats"
	"github.com/spyscan/spyscan/internal/ios/modules/safaribrowserstate"
	"github.com/spyscan/spyscan/internal/ios/modules/safarifavicon"
	"github.com/spyscan/spyscan/internal/ios/modules/safarihistory"
	"github.com/spyscan/spyscan/internal/ios/modules/sessionresourcelog"
	"github.com/spyscan/spyscan/internal/ios/modules/shortcuts"
	"github.com/spyscan/spyscan/internal/ios/modules/sms"
	"github.com/spyscan/spyscan/internal/ios/modules/tcc"
	"github.com/spyscan/spyscan/internal/ios/modules/whatsapp"
	"github.com/spyscan/spyscan/internal/module"
)

// iosModules lists the iOS modules.
func iosModules() []module.Module {
	return []module.Module{
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
	}
}
