// Package androidbrowser owns the generated browser History databases of an
// androidqf acquisition (browser_history/, collected with root): Chromium's
// History in WAL mode and without, laid out with androiddata.BrowserFiles.
// It is apart from androiddata because the databases are SQLite, built with
// iosgen: every test binary that imported androiddata linked
// modernc.org/sqlite for them (dumpsys, tombstone, pslist, intrusionlog,
// apkcert, backupab, ...), about 0.2 CPU-s more per link (docs/perf/tests.md).
package androidbrowser

import (
	"context"
	"fmt"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/androiddata"
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

// BrowserHistory returns what androidqf collects of a rooted phone's browser
// history: Chrome's History in WAL mode, whose visit to a Pegasus URL (a
// planted hit, reached by a redirect) is only in the -wal file as on a live
// phone, next to an ordinary visit and a visit to a clean look-alike; and
// Samsung Internet's History without a WAL, with one ordinary visit.
func BrowserHistory() map[string][]byte {
	t0 := androiddata.Acquired.Add(-26 * time.Hour)
	var main, wal []iosgen.Stmt
	main = append(main, chromiumVisit(1, "https://news.example.com/", "News", t0, 0, 805306368)...)
	main = append(main, chromiumVisit(2, "https://"+androiddata.LookalikeDomain+"/", "Free downloads", t0.Add(time.Hour), 0, 805306369)...)
	wal = append(wal, chromiumVisit(3, "https://bit.example/x", "", t0.Add(2*time.Hour), 0, 805306368)...)
	wal = append(wal, chromiumVisit(4, androiddata.PegasusURL, "", t0.Add(2*time.Hour+time.Second), 3, 805306376)...)
	db, w, shm, err := iosgen.SQLiteWAL(context.Background(), chromiumSchema, main, wal)
	if err != nil {
		panic(fmt.Sprintf("androidbrowser: %v", err))
	}
	sdb, err := iosgen.SQLite(context.Background(), chromiumSchema, chromiumVisit(1, "https://weather.example.org/paris", "Weather", t0.Add(3*time.Hour), 0, 805306368))
	if err != nil {
		panic(fmt.Sprintf("androidbrowser: %v", err))
	}
	return androiddata.BrowserFiles("collected", []androiddata.BrowserDB{
		{Browser: "Chrome", Package: "com.android.chrome", DB: db, WAL: w, SHM: shm},
		{Browser: "Samsung Internet", Package: "com.sec.android.app.sbrowser", DB: sdb},
	})
}
