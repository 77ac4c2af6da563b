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

// IsPackageName reports whether s looks like an Android package name: at
// least two dot-separated words of letters, digits and '_', the first
// starting with a letter ("^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)+$"),
// under 256 bytes. A byte loop: the resolver tables call it once per
// component, tens of thousands of times per dump.
func IsPackageName(s string) bool {
	if len(s) == 0 || len(s) >= 256 || !isLetter(s[0]) {
		return false
	}
	dots, word := 0, 1 // bytes in the current word
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.':
			if word == 0 {
				return false
			}
			dots, word = dots+1, 0
		case isLetter(c) || c >= '0' && c <= '9' || c == '_':
			word++
		default:
			return false
		}
	}
	return dots > 0 && word > 0
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// Indent returns the number of leading spaces of line.
func Indent(line string) int {
	return len(line) - len(strings.TrimLeft(line, " "))
}
