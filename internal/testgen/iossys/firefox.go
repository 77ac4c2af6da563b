package iossys

import (
	"context"
	"fmt"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// FirefoxSchema is the part of Firefox for iOS's browser.db schema the
// modules read (domains, history, visits, favicons, favicon_sites) plus a
// neighbour table, as created by the app.
var FirefoxSchema = []string{
	"CREATE TABLE IF NOT EXISTS domains (id INTEGER PRIMARY KEY AUTOINCREMENT, domain TEXT NOT NULL UNIQUE, showOnTopSites TINYINT NOT NULL DEFAULT 1)",
	`CREATE TABLE IF NOT EXISTS history (id INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT NOT NULL UNIQUE, url TEXT UNIQUE, title TEXT NOT NULL,
		server_modified INTEGER, local_modified INTEGER, is_deleted TINYINT NOT NULL, should_upload TINYINT NOT NULL,
		domain_id INTEGER REFERENCES domains(id) ON DELETE CASCADE, CONSTRAINT urlOrDeleted CHECK (url IS NOT NULL OR is_deleted = 1))`,
	"CREATE TABLE IF NOT EXISTS favicons (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, width INTEGER, height INTEGER, type INTEGER NOT NULL, date REAL NOT NULL)",
	`CREATE TABLE IF NOT EXISTS visits (id INTEGER PRIMARY KEY AUTOINCREMENT, siteID INTEGER NOT NULL REFERENCES history(id) ON DELETE CASCADE,
		date REAL NOT NULL, type INTEGER NOT NULL, is_local TINYINT NOT NULL, UNIQUE (siteID, date, type))`,
	`CREATE TABLE IF NOT EXISTS favicon_sites (id INTEGER PRIMARY KEY AUTOINCREMENT, siteID INTEGER NOT NULL REFERENCES history(id) ON DELETE CASCADE,
		faviconID INTEGER NOT NULL REFERENCES favicons(id) ON DELETE CASCADE, UNIQUE (siteID, faviconID))`,
	`CREATE TABLE IF NOT EXISTS remote_devices (id INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL,
		is_current_device INTEGER NOT NULL, date_created INTEGER NOT NULL, date_modified INTEGER NOT NULL, last_access_time INTEGER, availableCommands TEXT)`,
	"CREATE INDEX IF NOT EXISTS idx_visits_siteID_is_local_date ON visits (siteID, is_local, date)",
}

// Firefox locations of the fixture.
const (
	FirefoxDomain   = "AppDomainGroup-group.org.mozilla.ios.Firefox"
	FirefoxRel      = "profile.profile/browser.db"
	FirefoxDumpPath = "private/var/mobile/Containers/Shared/AppGroup/3E1B9F3A-6C2D-4A8B-9E7F-1D2C3B4A5F60/" + FirefoxRel
)

// Firefox returns browser.db (backup and dump) with visits and favicons,
// a planted Pegasus page and favicon, and clean look-alikes.
func Firefox(ctx context.Context) ([]iosgen.File, error) {
	type site struct{ domain, url, title, icon string }
	sites := []site{
		{"mozilla.org", "https://www.mozilla.org/en-US/firefox/", "Firefox", "https://www.mozilla.org/media/img/favicons/firefox/favicon-196x196.png"},
		{PegasusDomain, "https://" + PegasusSubdomain + "/tr/Xy7Zq", "Delivery update", "https://" + PegasusDomain + "/favicon.ico"},
		{LookalikeDomain, "https://" + LookalikeDomain + "/", "Free downloads", "https://" + LookalikeDomain + "/favicon.ico"},
		{"ycombinator.com", "https://news.ycombinator.com/", "Hacker News", ""},
	}
	stmts := append([]string(nil), FirefoxSchema...)
	for i, s := range sites {
		n := i + 1
		stmts = append(stmts,
			fmt.Sprintf("INSERT INTO domains(id, domain) VALUES (%d, '%s')", n, esc(s.domain)),
			fmt.Sprintf("INSERT INTO history(id, guid, url, title, local_modified, is_deleted, should_upload, domain_id) VALUES (%d, 'guid%04d', '%s', '%s', %d, 0, 1, %d)",
				n, n, esc(s.url), esc(s.title), Base.UnixMilli(), n))
		for v := 0; v <= i%2; v++ {
			at := Base.Add(time.Duration(-i*90-v*7) * time.Minute)
			stmts = append(stmts, fmt.Sprintf("INSERT INTO visits(siteID, date, type, is_local) VALUES (%d, %d, %d, 1)", n, at.UnixMicro(), 1+v*5))
		}
		if s.icon != "" {
			stmts = append(stmts,
				fmt.Sprintf("INSERT INTO favicons(id, url, width, height, type, date) VALUES (%d, '%s', 32, 32, 1, %f)", n, esc(s.icon), float64(Base.Add(time.Duration(-i*90)*time.Minute).Unix())+0.5),
				fmt.Sprintf("INSERT INTO favicon_sites(siteID, faviconID) VALUES (%d, %d)", n, n))
		}
	}
	b, err := SQLite(ctx, stmts...)
	if err != nil {
		return nil, err
	}
	return []iosgen.File{{Domain: FirefoxDomain, RelativePath: FirefoxRel, Path: FirefoxDumpPath, Data: b}}, nil
}
