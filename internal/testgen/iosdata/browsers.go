package iosdata

import (
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

const (
	chromeDomain = "AppDomain-com.google.chrome.ios"
	chromeRel    = "Library/Application Support/Google/Chrome/Default/"
	chromeDump   = "private/var/mobile/Containers/Data/Application/9D8C7B6A-5F4E-4D3C-8B2A-1F0E9D8C7B6A/"
	firefoxGroup = "AppDomainGroup-group.org.mozilla.ios.Firefox"
	firefoxDump  = "private/var/mobile/Containers/Shared/AppGroup/7E6D5C4B-3A29-4817-9F6E-5D4C3B2A1908/"
)

// WebKitMicros is t as Chrome's microseconds since 1601.
func WebKitMicros(t time.Time) int64 { return t.UnixMicro() + 11644473600*1e6 }

// ChromeHistory returns Chrome's History database.
func ChromeHistory() []iosgen.File {
	db := BuildDB([]string{
		`CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title LONGVARCHAR,visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL)`,
		`CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT,url INTEGER NOT NULL,visit_time INTEGER NOT NULL,from_visit INTEGER,transition INTEGER DEFAULT 0 NOT NULL,segment_id INTEGER,visit_duration INTEGER DEFAULT 0 NOT NULL,incremented_omnibox_typed_score BOOLEAN DEFAULT FALSE NOT NULL,opener_visit INTEGER)`,
	}, []iosgen.Stmt{
		iosgen.Ins("urls", "id, url, title, visit_count, last_visit_time", 1, "https://news.example.com/", "News", 1, WebKitMicros(At(0))),
		iosgen.Ins("urls", "id, url, title, visit_count, last_visit_time", 2, PegasusURL, "", 1, WebKitMicros(At(time.Second))),
		iosgen.Ins("urls", "id, url, title, visit_count, last_visit_time", 3, "https://"+LookalikeDomain+"/", "Free downloads", 1, WebKitMicros(At(time.Hour))),
		iosgen.Ins("visits", "id, url, visit_time, from_visit, transition", 1, 1, WebKitMicros(At(0)), 0, 805306368),
		iosgen.Ins("visits", "id, url, visit_time, from_visit, transition", 2, 2, WebKitMicros(At(time.Second)), 1, 805306376),
		iosgen.Ins("visits", "id, url, visit_time, from_visit, transition", 3, 3, WebKitMicros(At(time.Hour)), 0, 805306369),
	})
	return []iosgen.File{{Domain: chromeDomain, RelativePath: chromeRel + "History", Path: chromeDump + chromeRel + "History", Data: db}}
}

// ChromeFavicon returns Chrome's Favicons database.
func ChromeFavicon() []iosgen.File {
	db := BuildDB([]string{
		`CREATE TABLE favicons(id INTEGER PRIMARY KEY,url LONGVARCHAR NOT NULL,icon_type INTEGER DEFAULT 1)`,
		`CREATE TABLE favicon_bitmaps(id INTEGER PRIMARY KEY,icon_id INTEGER NOT NULL,last_updated INTEGER DEFAULT 0,image_data BLOB,width INTEGER DEFAULT 0,height INTEGER DEFAULT 0,last_requested INTEGER NOT NULL DEFAULT 0)`,
		`CREATE TABLE icon_mapping(id INTEGER PRIMARY KEY,page_url LONGVARCHAR NOT NULL,icon_id INTEGER)`,
	}, []iosgen.Stmt{
		iosgen.Ins("favicons", "id, url", 1, "https://"+PegasusDomain+"/favicon.ico"),
		iosgen.Ins("favicons", "id, url", 2, "https://"+LookalikeDomain+"/favicon.ico"),
		iosgen.Ins("favicon_bitmaps", "id, icon_id, last_updated, width, height, last_requested", 1, 1, WebKitMicros(At(time.Second)), 16, 16, 0),
		iosgen.Ins("favicon_bitmaps", "id, icon_id, last_updated, width, height, last_requested", 2, 2, WebKitMicros(At(time.Hour)), 16, 16, 0),
		iosgen.Ins("icon_mapping", "id, page_url, icon_id", 1, "https://news.example.com/", 1),
		iosgen.Ins("icon_mapping", "id, page_url, icon_id", 2, "https://"+LookalikeDomain+"/", 2),
	})
	return []iosgen.File{{Domain: chromeDomain, RelativePath: chromeRel + "Favicons", Path: chromeDump + chromeRel + "Favicons", Data: db}}
}

// FirefoxBrowserDB returns Firefox's browser.db (history and favicons).
func FirefoxBrowserDB() []iosgen.File {
	db := BuildDB([]string{
		`CREATE TABLE history (id INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT NOT NULL UNIQUE, url TEXT UNIQUE, title TEXT NOT NULL, server_modified INTEGER, local_modified INTEGER, is_deleted TINYINT NOT NULL, should_upload TINYINT NOT NULL, domain_id INTEGER)`,
		`CREATE TABLE visits (id INTEGER PRIMARY KEY AUTOINCREMENT, siteID INTEGER NOT NULL REFERENCES history(id) ON DELETE CASCADE, date REAL NOT NULL, type INTEGER NOT NULL, is_local TINYINT NOT NULL, UNIQUE (siteID, date, type))`,
		`CREATE TABLE favicons (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, width INTEGER, height INTEGER, type INTEGER NOT NULL, date REAL NOT NULL)`,
		`CREATE TABLE favicon_sites (id INTEGER PRIMARY KEY AUTOINCREMENT, siteID INTEGER NOT NULL REFERENCES history(id) ON DELETE CASCADE, faviconID INTEGER NOT NULL REFERENCES favicons(id) ON DELETE CASCADE, UNIQUE (siteID, faviconID))`,
	}, []iosgen.Stmt{
		iosgen.Ins("history", "id, guid, url, title, is_deleted, should_upload", 1, "g1", "https://"+QuaDreamDomain+"/x", "", 0, 1),
		iosgen.Ins("history", "id, guid, url, title, is_deleted, should_upload", 2, "g2", "https://"+LookalikeDomain+"/", "Look-alike", 0, 1),
		iosgen.Ins("visits", "id, siteID, date, type, is_local", 1, 1, float64(At(time.Hour).UnixMicro()), 1, 1),
		iosgen.Ins("visits", "id, siteID, date, type, is_local", 2, 2, float64(At(2*time.Hour).UnixMicro()), 1, 1),
		iosgen.Ins("favicons", "id, url, width, height, type, date", 1, "https://"+PegasusSubdomain+"/f.ico", 32, 32, 1, float64(At(time.Hour).Unix())),
		iosgen.Ins("favicons", "id, url, width, height, type, date", 2, "https://"+LookalikeDomain+"/f.ico", 32, 32, 1, float64(At(2*time.Hour).Unix())),
		iosgen.Ins("favicon_sites", "id, siteID, faviconID", 1, 2, 1),
		iosgen.Ins("favicon_sites", "id, siteID, faviconID", 2, 2, 2),
	})
	return []iosgen.File{{Domain: firefoxGroup, RelativePath: "profile.profile/browser.db", Path: firefoxDump + "profile.profile/browser.db", Data: db}}
}

// SessionData encodes a BrowserState tab session: 4 bytes of header then a
// binary plist with the tab's back/forward list.
func SessionData(urls ...string) []byte {
	var entries []any
	for _, u := range urls {
		entries = append(entries, map[string]any{"SessionHistoryEntryURL": u, "SessionHistoryEntryOriginalURL": u, "SessionHistoryEntryTitle": "t", "SessionHistoryEntryData": []byte("state")})
	}
	p := Plist(map[string]any{"SessionHistory": map[string]any{"SessionHistoryCurrentIndex": uint64(0), "SessionHistoryEntries": entries}, "IsAppProvidedURL": false})
	return append([]byte{0, 0, 0, 2}, p...)
}

// SafariBrowserState returns BrowserState.db with open tabs.
func SafariBrowserState() []iosgen.File {
	db := BuildDB([]string{
		`CREATE TABLE browser_windows (id INTEGER PRIMARY KEY AUTOINCREMENT,uuid TEXT NOT NULL,type INTEGER DEFAULT 0,active_document_index INTEGER DEFAULT 0,active_private_document_index INTEGER DEFAULT 0,active_document_is_valid BOOL DEFAULT 1,tab_state_successfully_loaded BOOL DEFAULT 0,legacy_plist_file_version INTEGER DEFAULT 0, scene_id TEXT,CONSTRAINT uuid_type_index UNIQUE(uuid, type))`,
		`CREATE TABLE tabs (id INTEGER PRIMARY KEY AUTOINCREMENT,uuid TEXT NOT NULL UNIQUE,title TEXT,url TEXT COLLATE NOCASE,user_visible_url TEXT COLLATE NOCASE,order_index INTEGER NOT NULL,last_viewed_time REAL DEFAULT NULL,readinglist_bookmark_id INTEGER DEFAULT 0,opened_from_link BOOL DEFAULT 0,showing_reader BOOL DEFAULT 0,reader_view_top_scroll_offset INTEGER DEFAULT 0,private_browsing BOOL DEFAULT 0,displaying_standalone_image BOOL DEFAULT 0,browser_window_uuid TEXT NOT NULL,browser_window_id INTEGER NOT NULL,FOREIGN KEY(browser_window_id) REFERENCES browser_windows(id) ON DELETE CASCADE)`,
		`CREATE TABLE tab_sessions (id INTEGER PRIMARY KEY AUTOINCREMENT,tab_uuid TEXT NOT NULL UNIQUE,session_data BLOB DEFAULT NULL,uncompressed_session_data_size INTEGER NOT NULL DEFAULT 0,FOREIGN KEY(tab_uuid) REFERENCES tabs(uuid) ON DELETE CASCADE ON UPDATE CASCADE)`,
	}, []iosgen.Stmt{
		iosgen.Ins("browser_windows", "id, uuid", 1, "W1"),
		iosgen.Ins("tabs", "id, uuid, title, url, user_visible_url, order_index, last_viewed_time, browser_window_uuid, browser_window_id", 1, "T1", "News", "https://news.example.com/", "https://news.example.com/", 0, AppleSec(At(time.Hour)), "W1", 1),
		iosgen.Ins("tabs", "id, uuid, title, url, user_visible_url, order_index, last_viewed_time, private_browsing, browser_window_uuid, browser_window_id", 2, "T2", "", "https://"+LookalikeDomain+"/", "https://"+LookalikeDomain+"/", 1, AppleSec(At(2*time.Hour)), 1, "W1", 1),
		iosgen.Ins("tab_sessions", "id, tab_uuid, session_data", 1, "T1", SessionData("http://news.example.com/", PegasusURL, "https://news.example.com/")),
		iosgen.Ins("tab_sessions", "id, tab_uuid, session_data", 2, "T2", SessionData("https://"+LookalikeDomain+"/")),
	})
	rel := "Library/Safari/BrowserState.db"
	return []iosgen.File{{Domain: "HomeDomain", RelativePath: rel, Path: "private/var/mobile/" + rel, Data: db}}
}

// SafariFavicon returns Safari's Favicons.db (dumps only).
func SafariFavicon() []iosgen.File {
	db := BuildDB([]string{
		`CREATE TABLE page_url (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL, url TEXT NOT NULL UNIQUE)`,
		`CREATE TABLE icon_info (id INTEGER PRIMARY KEY AUTOINCREMENT, uuid TEXT NOT NULL UNIQUE, url TEXT NOT NULL, timestamp REAL NOT NULL, width REAL NOT NULL, height REAL NOT NULL, has_generated_representations INTEGER NOT NULL)`,
		`CREATE TABLE rejected_resources (id INTEGER PRIMARY KEY AUTOINCREMENT, page_url TEXT NOT NULL UNIQUE, icon_url TEXT NOT NULL, timestamp REAL NOT NULL)`,
	}, []iosgen.Stmt{
		iosgen.Ins("page_url", "uuid, url", "U1", "https://"+LookalikeDomain+"/"),
		iosgen.Ins("icon_info", "uuid, url, timestamp, width, height, has_generated_representations", "U1", "https://"+LookalikeDomain+"/favicon.ico", AppleSec(At(time.Hour)), 32.0, 32.0, 0),
		iosgen.Ins("page_url", "uuid, url", "U2", "https://news.example.com/"),
		iosgen.Ins("icon_info", "uuid, url, timestamp, width, height, has_generated_representations", "U2", "https://news.example.com/favicon.ico", AppleSec(At(2*time.Hour)), 32.0, 32.0, 0),
		iosgen.Ins("rejected_resources", "page_url, icon_url, timestamp", PegasusURL, "https://"+PegasusSubdomain+"/favicon.ico", AppleSec(At(time.Second))),
	})
	return []iosgen.File{{Path: "private/var/mobile/Library/Image Cache/Favicons/Favicons.db", Data: db}}
}
