package androiddata

import (
	"encoding/json"
	"fmt"
	"time"
)

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
