package androiddata

import (
	"encoding/json"
	"fmt"
)

// MagiskEntry is one entry of androidqf's magisk_modules/manifest.json.
type MagiskEntry struct {
	DevicePath         string   `json:"device_path"`
	DirectoryName      string   `json:"directory_name"`
	ModulePropPath     string   `json:"module_prop_path,omitempty"`
	ModulePropStatus   string   `json:"module_prop_status"`
	StateFiles         []string `json:"state_files"`
	StateFilesComplete bool     `json:"state_files_complete"`
}

// MagiskManifest returns magisk_modules/manifest.json as androidqf writes it
// (schema version 1).
func MagiskManifest(status string, entries []MagiskEntry) []byte {
	b, _ := json.MarshalIndent(map[string]any{
		"schema_version":     1,
		"generated_at":       Acquired.Add(3 * 60e9).Format("2006-01-02T15:04:05.999999999Z07:00"),
		"status":             status,
		"acquisition_method": "adb exec-out su -c cat",
		"modules":            entries,
	}, "", "  ")
	return b
}

// MagiskModules returns what androidqf collects of the Magisk modules of a
// rooted phone: the manifest and each module.prop. Module 0 is an ordinary
// hosts module, disabled; module 1 updates from a Pegasus domain (a planted
// hit); module 2 updates from a clean look-alike of it; the last module's
// module.prop was missing and its state files could not all be checked.
func MagiskModules() map[string][]byte {
	props := []string{
		"id=hosts\nname=Systemless Hosts\nversion=v1.0\nversionCode=1\nauthor=topjohnwu\ndescription=Magisk built-in systemless hosts module\n",
		"# update channel\nid=sys.perf.tuner\nname=Performance Tuner\nversion=2.1\nversionCode=21\nauthor=perf\ndescription=Keeps=the CPU fast\nupdateJson=https://" + PegasusDomain + "/u/tuner.json\n",
		"id=clean.tweaks\nname=Clean Tweaks\nversion=1\nversionCode=1\nupdateJson=https://" + LookalikeDomain + "/update.json\nnot a property line\n",
	}
	dirs := []string{"hosts", "sys.perf.tuner", "clean.tweaks"}
	states := [][]string{{"disable"}, {"update"}, {}}
	m := map[string][]byte{}
	var entries []MagiskEntry
	for i, p := range props {
		path := fmt.Sprintf("magisk_modules/%04d/module.prop", i)
		m[path] = []byte(p)
		entries = append(entries, MagiskEntry{DevicePath: "/data/adb/modules/" + dirs[i], DirectoryName: dirs[i],
			ModulePropPath: path, ModulePropStatus: "collected", StateFiles: states[i], StateFilesComplete: true})
	}
	entries = append(entries, MagiskEntry{DevicePath: "/data/adb/modules/broken", DirectoryName: "broken",
		ModulePropStatus: "missing", StateFiles: []string{}, StateFilesComplete: false})
	m["magisk_modules/manifest.json"] = MagiskManifest("partial", entries)
	return m
}
