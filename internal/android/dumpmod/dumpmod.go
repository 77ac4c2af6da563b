// Package dumpmod owns the plumbing shared by the modules that read dumpsys
// sections: a dumpsys module embeds a Module built from its Sections (a
// fresh state per pass, the parser filling it, and what it reports), and
// gets Run on its own pass; Shared makes one pass over the dump of an
// acquisition (located by internal/android/locate, memoised with
// module.Pass) feed every dumpsys module's parser. A missing dump, a cut
// section or a read failure becomes ErrNotFound or a per-file error. Plus
// the small readers they share (dumpsys times, package names, resolver
// tables).
package dumpmod

import (
	"regexp"
	"strings"
	"time"
)

var timeLayouts = []string{
	"2006-01-02 15:04:05.000",
	"2006-01-02 15:04:05",
	"2006-01-02-15-04-05",
	"2006-01-02",
}

// ParseTime reads the timestamps printed by dumpsys ("2024-05-01
// 10:00:00[.123]", battery stats' "2024-05-01-10-00-00"). They are in the
// phone's local time zone, which the dump does not state: like MVT, they
// are kept as wall-clock time and labelled UTC.
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

var pkgRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$`)

// IsPackageName reports whether s looks like an Android package name.
func IsPackageName(s string) bool { return len(s) < 256 && pkgRE.MatchString(s) }

// Indent returns the number of leading spaces of line.
func Indent(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}
