// Package manifest owns the Manifest module: every file listed in an iOS
// backup's Manifest.db, its path checked against file indicators (as
// stored and as the device path), URL-like parts of the path (WebKit
// "https_host_0" folders, host-named files) checked as domains, and the
// files' birth/modification/status-change times put on the timeline.
package manifest

import (
	"context"
	"fmt"
	"io/fs"
	"iter"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/ios/backup"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
)

// Module is the Manifest module.
type Module struct{ module.Base }

// New returns the module.
func New() Module {
	return Module{module.NewBase("manifest", 1, module.Kinds(acquisition.IOSBackup, acquisition.IOSBackupEncrypted))}
}

type recordser interface {
	Records() iter.Seq[backup.Record]
}

// Run implements module.Module.
func (Module) Run(ctx context.Context, in *module.Input, rec *module.Recorder) error {
	recs, err := records(ctx, in)
	if err != nil {
		return err
	}
	rec.File(backup.ManifestDB)
	i := 0
	var r backup.Record // one for every record: check takes its address, which made one heap copy per record
	for r = range recs {
		if i%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		i++
		check(rec, &r)
	}
	return nil
}

// records are the backup's records, streamed from its index; from
// Manifest.db itself when the acquisition is not an opened backup.
func records(ctx context.Context, in *module.Input) (iter.Seq[backup.Record], error) {
	if r, ok := in.Acq.FS.(recordser); ok {
		return r.Records(), nil
	}
	if _, err := fs.Stat(in.Acq.FS, backup.ManifestDB); err != nil {
		return nil, module.ErrNotFound
	}
	db, err := sqlitex.Open(ctx, in.Acq.FS, backup.ManifestDB, in.TempDir)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "SELECT fileID, domain, relativePath, flags, file FROM Files")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", backup.ManifestDB, err)
	}
	defer rows.Close()
	var out []backup.Record
	for rows.Next() {
		var id, domain, rel string
		var flags int
		var blob []byte
		if err := rows.Scan(&id, &domain, &rel, &flags, &blob); err != nil {
			return nil, fmt.Errorf("%s: %w", backup.ManifestDB, err)
		}
		out = append(out, backup.RecordFromRow(id, domain, rel, flags, blob))
	}
	return slices.Values(out), rows.Err()
}

func check(rec *module.Recorder, r *backup.Record) {
	rec.Record(r)
	where := module.Where{Artifact: backup.ManifestDB, Time: r.Modified, Label: i18n.M("ios.manifest.what_path"), Record: r}
	if r.RelativePath != "" {
		rec.CheckPath(r.RelativePath, where)
		if dp := DevicePath(r.Domain, r.RelativePath); dp != "" {
			rec.CheckPath(dp, where)
		}
	}
	where.Label = i18n.M("ios.manifest.what_host")
	for _, h := range Hosts(r.RelativePath) {
		rec.CheckDomain(h, where)
	}
	events(rec, r)
}

// eventNames are the timeline events of a file's times, by the times one
// event stands for (bit 0 birth, 1 modification, 2 status change): equal
// times make one event ("file created, modified"), named in that order.
var eventNames = [8]string{1: "file created", 2: "file modified", 3: "file created, modified",
	4: "file status changed", 5: "file created, status changed", 6: "file modified, status changed",
	7: "file created, modified, status changed"}

func events(rec *module.Recorder, r *backup.Record) {
	// On the stack, as the manifest makes them for every file; the names
	// and the description are made once, not per event.
	type ev struct {
		t     time.Time
		times uint8
	}
	var evs [3]ev
	n := 0
	for i, t := range [3]time.Time{r.Birth, r.Modified, r.StatusChange} {
		if t.IsZero() {
			continue
		}
		merged := false
		for j := range evs[:n] {
			if evs[j].t.Equal(t) {
				evs[j].times |= 1 << i
				merged = true
				break
			}
		}
		if !merged {
			evs[n] = ev{t, 1 << i}
			n++
		}
	}
	if n == 0 {
		return
	}
	desc := r.Domain + "/"
	if r.RelativePath != "" {
		desc = r.Path() // the index's own string: no copy per file
	}
	for _, e := range evs[:n] {
		rec.Event(model.Event{Time: e.t, Event: eventNames[e.times], Description: desc, Artifact: backup.ManifestDB})
	}
}

// domainRoots maps backup domains to their folder on the device.
var domainRoots = map[string]string{
	"HomeDomain":               "/private/var/mobile",
	"MediaDomain":              "/private/var/mobile",
	"CameraRollDomain":         "/private/var/mobile",
	"TonesDomain":              "/private/var/mobile",
	"KeyboardDomain":           "/private/var/mobile",
	"HealthDomain":             "/private/var/mobile/Library",
	"RootDomain":               "/private/var/root",
	"SystemPreferencesDomain":  "/private/var/preferences",
	"WirelessDomain":           "/private/var/wireless",
	"KeychainDomain":           "/private/var/Keychains",
	"DatabaseDomain":           "/private/var/db",
	"ManagedPreferencesDomain": "/private/var/Managed Preferences",
	"MobileDeviceDomain":       "/private/var/MobileDevice",
	"ProtectedDomain":          "/private/var/protected",
	"InstallDomain":            "/private/var/installd",
	"NetworkDomain":            "/private/var/networkd",
}

// DevicePath maps a backup domain and relative path to the file's path on
// the device ("" when the domain's folder is not fixed, e.g. app domains).
func DevicePath(domain, rel string) string {
	root, ok := domainRoots[domain]
	if !ok {
		return ""
	}
	return root + "/" + rel
}

var fileExts = map[string]bool{"db": true, "sqlite": true, "sqlite3": true, "plist": true, "png": true, "jpg": true,
	"jpeg": true, "heic": true, "json": true, "txt": true, "log": true, "dat": true, "wal": true, "shm": true,
	"localstorage": true, "binarycookies": true, "js": true, "css": true, "html": true, "htm": true, "mov": true,
	"mp4": true, "m4a": true, "caf": true, "gif": true, "xml": true, "db-wal": true, "bin": true, "data": true,
	"cache": true, "tmp": true, "lock": true, "ktx": true, "pb": true, "storedata": true, "strings": true}

// Hosts extracts host names from a relative path: WebKit-style "https_host_port"
// components and components that are host names.
func Hosts(p string) []string {
	var out []string // a few at most: looked through rather than a set
	add := func(h string) {
		if !mayBeHost(h) {
			return // most components: without a lower-cased copy
		}
		h = strings.ToLower(strings.Trim(h, "."))
		if looksLikeHost(h) && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	for c := range strings.SplitSeq(p, "/") {
		for _, scheme := range []string{"https_", "http_"} {
			if rest, ok := strings.CutPrefix(c, scheme); ok {
				host, _, _ := strings.Cut(rest, "_")
				add(host)
			}
		}
		if strings.Contains(c, "_") {
			continue
		}
		// a file named after a host, possibly with one extension: "evil.com", "evil.com.plist"
		if i := strings.LastIndexByte(c, '.'); i > 0 && fileExts[strings.ToLower(c[i+1:])] {
			c = c[:i]
		}
		add(c)
	}
	return out
}

// mayBeHost is false for a path component that add would refuse whatever
// its case: ASCII, with no dot inside its dots, shorter than 4 bytes or
// with a byte no host name has. A component with a byte outside ASCII is
// left to the full check (lower-casing can make ASCII of it: K, the
// Kelvin sign, is k). TestHostsAsBefore holds Hosts to the version
// without it.
func mayBeHost(h string) bool {
	h = strings.Trim(h, ".")
	dot := false
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case c >= utf8.RuneSelf:
			return true
		case c == '.':
			dot = true
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-':
		default:
			return false
		}
	}
	return dot && len(h) >= 4
}

func looksLikeHost(h string) bool {
	if len(h) < 4 || len(h) > 253 || !strings.Contains(h, ".") {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	// the labels, read in place: no empty one, the last (top-level) one
	// of letters and not a file extension
	if h[0] == '.' || h[len(h)-1] == '.' || strings.Contains(h, "..") {
		return false
	}
	tld := h[strings.LastIndexByte(h, '.')+1:]
	if len(tld) < 2 || fileExts[tld] {
		return false
	}
	for i := 0; i < len(tld); i++ {
		if tld[i] < 'a' || tld[i] > 'z' {
			return false
		}
	}
	// reverse-DNS identifiers (com.apple.x, net.whatsapp.WhatsApp) are not hosts
	switch first, _, _ := strings.Cut(h, "."); first {
	case "com", "net", "org", "group", "systemgroup", "ph":
		return false
	}
	return true
}
