// Package androiddata owns synthetic Android artifact content for tests,
// benchmarks and the demo: a realistic dumpstate text with the sections the
// modules read (system properties, accessibility, adb, appops,
// batterystats, dbinfo, package, platform_compat), androidqf files
// (packages.json, getprop.txt, settings_*.txt, processes.txt, files.json,
// root_binaries.json, mounts.json, logcat, acquisition.json) and tombstones
// in text and protobuf form. Content is returned as map[path][]byte for both
// layouts (bugreport and androidqf). It plants hits on indicators of the
// embedded snapshot next to clean look-alikes that must not alert, and it
// scales (Options) for benchmarks. Formats were learnt from public samples;
// no sample bytes are copied.
package androiddata

import "time"

// Planted values. Each comes from the embedded indicator snapshot, so a scan
// with the default indicators must alert on it.
const (
	// StalkerAppID is a TheTruthSpy app id (stalkerware-indicators).
	StalkerAppID = "com.ispyoo"
	// StalkerCertSHA1 is a TheTruthSpy signing-certificate SHA-1.
	StalkerCertSHA1 = "f9181c6cf9aacb3ab1092f5338c3198a8d833431"
	// StalkerAPKSHA256 is a TheTruthSpy APK SHA-256.
	StalkerAPKSHA256 = "32838fe1604a25a4fbcb62954c976b84c68694d73020994de034550641743f13"
	// CampaignProperty is an Android property of Amnesty's 2023-03-29 Android campaign.
	CampaignProperty = "sys.brand.note"
	// CampaignPath is a file path of the same campaign.
	CampaignPath = "/data/local/tmp/dropbox"
	// PegasusDomain is a Pegasus domain (amnesty 2021-07-18_nso).
	PegasusDomain = "free247downloads.com"
)

// Clean look-alikes: near the planted values, but they must not match.
const (
	LookalikeAppID    = "com.ispyoo.weather.clean"
	LookalikeProperty = "sys.brand.notebook"
	LookalikePath     = "/sdcard/Download/dropbox"
	LookalikeDomain   = "free247downloads.com.example.org"
)

// Acquired is when the synthetic acquisition was taken (UTC).
var Acquired = time.Date(2024, 5, 20, 14, 3, 11, 0, time.UTC)

// Options scales the generated content.
type Options struct {
	Packages      int   // filler packages added to dumpsys package and packages.json
	Files         int   // filler entries added to files.json
	DumpstateSize int64 // pad the dumpstate with log lines to at least this many bytes
	// Processes chooses the androidqf process listing: "" for processes.txt
	// (`ps -A`), or one of the collector shapes of ProcessesJSON written as
	// processes.json.
	Processes ProcessShape
}
