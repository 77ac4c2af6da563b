// Package versions owns the table of iOS releases spyscan knows, used to
// tell whether a device runs an outdated iOS. The table has a date: a
// device newer than the table means the table is stale, not the device.
package versions

import (
	"strconv"
	"strings"
	"time"
)

// TableDate is when the table below was last brought up to date.
var TableDate = time.Date(2026, 8, 22, 0, 0, 0, 0, time.UTC)

// Release is one iOS release.
type Release struct {
	Version string
	Date    time.Time
}

func d(y, m, day int) time.Time { return time.Date(y, time.Month(m), day, 0, 0, 0, 0, time.UTC) }

// Releases lists the major and point releases (not every patch), oldest
// first, and the newest patch. The dates from 26.1 on are those of Apple's
// security-releases page (https://support.apple.com/kb/HT201222) as
// collected by endoflife.date (github.com/endoflife-date/release-data,
// releases/ios.json, MIT, at commit f626bdef8bf9d1503707c05034905184c3a795d6
// of 2026-08-22); the newest there, 26.6.1, is also the newest in MVT's
// table at the same time.
var Releases = []Release{
	{"14.0", d(2020, 9, 16)}, {"14.8.1", d(2021, 10, 26)},
	{"15.0", d(2021, 9, 20)}, {"15.7", d(2022, 9, 12)},
	{"16.0", d(2022, 9, 12)}, {"16.6", d(2023, 7, 24)}, {"16.7", d(2023, 9, 21)},
	{"17.0", d(2023, 9, 18)}, {"17.6", d(2024, 7, 29)},
	{"18.0", d(2024, 9, 16)}, {"18.1", d(2024, 10, 28)}, {"18.2", d(2024, 12, 11)},
	{"18.3", d(2025, 1, 27)}, {"18.4", d(2025, 3, 31)}, {"18.5", d(2025, 5, 12)},
	{"18.6", d(2025, 7, 29)},
	{"26.0", d(2025, 9, 15)}, {"26.1", d(2025, 11, 3)}, {"26.2", d(2025, 12, 12)},
	{"26.3", d(2026, 2, 11)}, {"26.4", d(2026, 3, 24)}, {"26.5", d(2026, 5, 11)},
	{"26.6", d(2026, 7, 27)}, {"26.6.1", d(2026, 8, 17)},
}

// Latest is the newest release in the table.
func Latest() Release {
	latest := Releases[0]
	for _, r := range Releases[1:] {
		if Compare(r.Version, latest.Version) > 0 {
			latest = r
		}
	}
	return latest
}

// Compare compares dotted versions numerically ("16.10" > "16.9"); a
// non-numeric part compares as 0.
func Compare(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		x, y := part(pa, i), part(pb, i)
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func part(p []string, i int) int {
	if i >= len(p) {
		return 0
	}
	n, err := strconv.Atoi(strings.TrimSpace(p[i]))
	if err != nil {
		return 0
	}
	return n
}

// Valid reports whether v looks like an iOS version ("16.6", "17.0.1").
func Valid(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 4 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil {
			return false
		}
	}
	return true
}
