package iosdata

import (
	"context"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// Containers of the WebKit folders fixture.
const (
	WebKitAppUUID    = "7C2E9A41-3B5D-4E6F-8A9B-0C1D2E3F4A5B" // an app with web views (dump)
	WebKitAppBundle  = "com.example.newsreader"               // its bundle id (backup domain)
	WebKitHostUUID   = "1F0E2D3C-4B5A-4968-8776-655443322110" // an app hosting SafariViewService
	webkitAppData    = "private/var/mobile/Containers/Data/Application/"
	webkitSiteData   = "Library/WebKit/WebsiteData/"
	svsWebsiteData   = "SystemData/com.apple.SafariViewService/Library/WebKit/WebsiteData/"
	idbSchemaVersion = "CREATE TABLE IDBDatabaseInfo (key TEXT NOT NULL ON CONFLICT FAIL UNIQUE ON CONFLICT REPLACE, value TEXT NOT NULL ON CONFLICT FAIL)"
	lsSchema         = "CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB NOT NULL ON CONFLICT FAIL)"
)

// WebKitFolders returns WebKit IndexedDB and LocalStorage origin entries of
// an app (backup and dump) and of SafariViewService (dump only), with a
// planted Pegasus origin in each and clean look-alikes.
func WebKitFolders(ctx context.Context) ([]iosgen.File, error) {
	idb, err := iosgen.SQLite(ctx, []string{idbSchemaVersion, "INSERT INTO IDBDatabaseInfo VALUES ('DatabaseVersion', '1')"}, nil)
	if err != nil {
		return nil, err
	}
	ls, err := iosgen.SQLite(ctx, []string{lsSchema, "INSERT INTO ItemTable VALUES ('theme', x'6400610072006b00')"}, nil)
	if err != nil {
		return nil, err
	}
	app := func(rel string, data []byte) iosgen.File {
		return iosgen.File{Domain: "AppDomain-" + WebKitAppBundle, RelativePath: webkitSiteData + rel,
			Path: webkitAppData + WebKitAppUUID + "/" + webkitSiteData + rel, Data: data, ModTime: sysBase}
	}
	svs := func(rel string, data []byte) iosgen.File {
		return iosgen.File{Path: webkitAppData + WebKitHostUUID + "/" + svsWebsiteData + rel, Data: data, ModTime: sysBase}
	}
	return []iosgen.File{
		app("IndexedDB/v1/https_www.youtube.com_0/IndexedDB.sqlite3", idb),
		app("IndexedDB/v1/https_"+PegasusSubdomain2+"_0/IndexedDB.sqlite3", idb),
		app("IndexedDB/v1/file__0/IndexedDB.sqlite3", idb),
		app("LocalStorage/https_www.wikipedia.org_0.localstorage", ls),
		app("LocalStorage/https_"+LookalikeDomain+"_0.localstorage", ls),
		app("LocalStorage/StorageTracker.db", ls),
		svs("LocalStorage/https_"+PegasusDomain+"_8443.localstorage", ls),
		svs("LocalStorage/https_accounts.google.com_0.localstorage", ls),
		svs("IndexedDB/v1/https_"+LookalikeDomain+"_0/IndexedDB.sqlite3", idb),
	}, nil
}
