package iosdata

import (
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// Lockdown Mode states of the GlobalPreferences fixture.
const (
	LockdownNever = iota // the key is absent
	LockdownOn
	LockdownOff
)

// GlobalPreferences returns .GlobalPreferences.plist (backup and dump) with
// Lockdown Mode in the given state.
func GlobalPreferences(state int) []iosgen.File {
	m := map[string]any{
		"AppleLanguages":              []any{"en-GB", "de-DE"},
		"AppleLocale":                 "en_GB",
		"AppleICUForce24HourTime":     true,
		"AppleKeyboards":              []any{"en_GB@sw=QWERTY;hw=Automatic", "emoji@sw=Emoji"},
		"AppleLanguagesDidMigrate":    "18F72",
		"AppleLanguagesSchemaVersion": uint64(2000),
		"NSInterfaceStyle":            "macintosh",
		"AppleKeyboardsExpanded":      uint64(1),
		"com.apple.springing.delay":   0.5,
		"AppleTemperatureUnit":        "Celsius",
		"LastSystemVersion":           time.Date(2021, 6, 1, 8, 0, 0, 0, time.UTC),
	}
	switch state {
	case LockdownOn:
		m["LDMGlobalEnabled"] = true
	case LockdownOff:
		m["LDMGlobalEnabled"] = false
	}
	b := Plist(m)
	return []iosgen.File{{Domain: "HomeDomain", RelativePath: "Library/Preferences/.GlobalPreferences.plist",
		Path: "private/var/mobile/Library/Preferences/.GlobalPreferences.plist", Data: b}}
}
