// Package iosgen owns writing synthetic iOS acquisitions (backups, encrypted
// backups, filesystem dumps, sysdiagnose archives) for tests, benchmarks and
// the demo. File is the shared unit: module fixtures produce Files, the
// writers lay them out as a backup or as a dump.
package iosgen

import "time"

// File is one file of a synthetic iOS device.
type File struct {
	Domain       string // backup domain, e.g. "HomeDomain"; "" when not in backups
	RelativePath string // path inside the domain, e.g. "Library/SMS/sms.db"
	Path         string // path on the device filesystem, no leading slash, e.g. "private/var/mobile/Library/SMS/sms.db"; "" when not in dumps
	Data         []byte
	ModTime      time.Time // zero: a fixed default, so output is reproducible
}
