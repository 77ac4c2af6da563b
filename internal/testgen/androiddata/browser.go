package androiddata

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// chromeMicros is Chromium's visit time: microseconds since 1601-01-01 UTC.
func chromeMicros(t time.Time) int64 { return t.UnixMicro() + 11644473600*1e6 }

// chromiumSchema is the part of Chromium's History schema the readers use.
var chromiumSchema = []string{
	`CREATE TABLE urls(id INTEGER PRIMARY KEY AUTOINCREMENT,url LONGVARCHAR,title LONGVARCHAR,visit_count INTEGER DEFAULT 0 NOT NULL,typed_count INTEGER DEFAULT 0 NOT NULL,last_visit_time INTEGER NOT NULL,hidden INTEGER DEFAULT 0 NOT NULL)`,
	`CREATE TABLE visits(id INTEGER PRIMARY KEY AUTOINCREMENT,url INTEGER NOT NULL,visit_time INTEGER NOT NULL,from_visit INTEGER,transition INTEGER DEFAULT 0 NOT NULL,segment_id INTEGER,visit_duration INTEGER DEFAULT 0 NOT NULL)`,
}

// chromiumVisit returns the rows of one visit to url (URL row id, visit id).
func chromiumVisit(id int, url, title string, t time.Time, from, transition int) []iosgen.Stmt {
	return []iosgen.Stmt{
		iosgen.Ins("urls", "id, url, title, visit_count, typed_count, last_visit_time", id, url, title, 1, 0, chromeMicros(t)),
		iosgen.Ins("visits", "id, url, visit_time, from_visit, transition", id, id, chromeMicros(t), from, transition),
	}
}

// BrowserDB is one History database of the manifest.
type BrowserDB struct {
	Browser, Package string
	DB, WAL, SHM     []byte // WAL and SHM nil when the browser had none
}

// BrowserManifest returns browser_history/manifest.json as androidqf writes
// it (schema version 1) for dbs, each at
// browser_history/<package>/Default/History with its sidecars.
func BrowserManifest(status string, dbs []BrowserDB) []byte {
	type sidecar struct {
		DevicePath  string `json:"device_path"`
		ArchivePath string `json:"archive_path"`
	}
	var list []map[string]any
	for _, d := range dbs {
		dev, arc := DevicePathOf(d), ArchivePathOf(d)
		sc := []sidecar{}
		for _, s := range []struct {
			suffix string
			data   []byte
		}{{"-wal", d.WAL}, {"-shm", d.SHM}} {
			if s.data != nil {
				sc = append(sc, sidecar{dev + s.suffix, arc + s.suffix})
			}
		}
		list = append(list, map[string]any{"browser": d.Browser, "package": d.Package, "profile": "Default",
			"device_path": dev, "archive_path": arc, "sidecars": sc})
	}
	if list == nil {
		list = []map[string]any{}
	}
	b, _ := json.MarshalIndent(map[string]any{"schema_version": 1, "generated_at": Acquired.Add(2 * time.Minute).Format(time.RFC3339Nano),
		"status": status, "acquisition_method": "adb exec-out su -c cat", "databases": list}, "", "  ")
	return b
}

// DevicePathOf is where a browser keeps its History on the phone.
func DevicePathOf(d BrowserDB) string {
	dir := "app_chrome"
	if d.Package == "com.sec.android.app.sbrowser" {
		dir = "app_sbrowser"
	}
	return fmt.Sprintf("/data/data/%s/%s/Default/History", d.Package, dir)
}

// ArchivePathOf is where androidqf stores it.
func ArchivePathOf(d BrowserDB) string { return "browser_history/" + d.Package + "/Default/History" }

// BrowserFiles lays dbs out as androidqf does, with the manifest.
func BrowserFiles(status string, dbs []BrowserDB) map[string][]byte {
	m := map[string][]byte{"browser_history/manifest.json": BrowserManifest(status, dbs)}
	for _, d := range dbs {
		p := ArchivePathOf(d)
		m[p] = d.DB
		if d.WAL != nil {
			m[p+"-wal"] = d.WAL
		}
		if d.SHM != nil {
			m[p+"-shm"] = d.SHM
		}
	}
	return m
}

// PegasusURL is a planted link of the Pegasus domain.
var PegasusURL = "https://" + PegasusDomain + "/track/8263"

// BrowserHistory returns what androidqf collects of a rooted phone's browser
// history: Chrome's History in WAL mode, whose visit to a Pegasus URL (a
// planted hit, reached by a redirect) is only in the -wal file as on a live
// phone, next to an ordinary visit and a visit to a clean look-alike; and
// Samsung Internet's History without a WAL, with one ordinary visit.
func BrowserHistory() map[string][]byte {
	t0 := Acquired.Add(-26 * time.Hour)
	var main, wal []iosgen.Stmt
	main = append(main, chromiumVisit(1, "https://news.example.com/", "News", t0, 0, 805306368)...)
	main = append(main, chromiumVisit(2, "https://"+LookalikeDomain+"/", "Free downloads", t0.Add(time.Hour), 0, 805306369)...)
	wal = append(wal, chromiumVisit(3, "https://bit.example/x", "", t0.Add(2*time.Hour), 0, 805306368)...)
	wal = append(wal, chromiumVisit(4, PegasusURL, "", t0.Add(2*time.Hour+time.Second), 3, 805306376)...)
	db, w, shm, err := iosgen.SQLiteWAL(context.Background(), chromiumSchema, main, wal)
	if err != nil {
		panic(fmt.Sprintf("androiddata: %v", err))
	}
	sdb, err := iosgen.SQLite(context.Background(), chromiumSchema, chromiumVisit(1, "https://weather.example.org/paris", "Weather", t0.Add(3*time.Hour), 0, 805306368))
	if err != nil {
		panic(fmt.Sprintf("androiddata: %v", err))
	}
	return BrowserFiles("collected", []BrowserDB{
		{Browser: "Chrome", Package: "com.android.chrome", DB: db, WAL: w, SHM: shm},
		{Browser: "Samsung Internet", Package: "com.sec.android.app.sbrowser", DB: sdb},
	})
}
