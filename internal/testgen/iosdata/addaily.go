package iosdata

import (
	"time"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// OSAnalyticsADDaily returns com.apple.osanalytics.addaily.plist (backup and
// dump) whose netUsageBaseline holds ordinary daemons, the planted Pegasus
// process "bh", a look-alike, and one entry of an unexpected shape.
func OSAnalyticsADDaily() []iosgen.File {
	d := func(h int) time.Time { return sysBase.Add(time.Duration(h) * time.Hour) }
	m := map[string]any{
		"netUsageBaseline": map[string]any{
			"mDNSResponder":  []any{d(-20), uint64(9_812_004), uint64(1_044_212), uint64(204_800), uint64(51_200)},
			"nsurlsessiond":  []any{d(-20), uint64(152_339_901), uint64(3_201_555), uint64(0), uint64(0)},
			PegasusProcess:   []any{d(-2), uint64(1_204), uint64(884_112), uint64(0), uint64(302_771)},
			"bhd":            []any{d(-19), uint64(4_096), uint64(2_048), uint64(0), uint64(0)},
			"apsd":           []any{d(-21), 18.5, 7.25, int64(3), int64(1)},
			"identityservic": "not an array",
		},
		"lastSubmission": d(-24),
		"version":        uint64(3),
	}
	b := Plist(m)
	return []iosgen.File{{Domain: "HomeDomain", RelativePath: "Library/Preferences/com.apple.osanalytics.addaily.plist",
		Path: "private/var/mobile/Library/Preferences/com.apple.osanalytics.addaily.plist", Data: b}}
}
