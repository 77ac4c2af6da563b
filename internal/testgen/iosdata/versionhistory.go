package iosdata

import (
	"fmt"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// VersionHistory returns analyticsd journals (dumps only) for three iOS
// versions, written in a local time zone, in an order that differs from
// their dates.
func VersionHistory() []iosgen.File {
	type j struct{ name, ts, ver string }
	js := []j{
		{"Analytics-Journal-2021-07-20-000017.ips", "2021-07-20 02:00:17.31 +0200", "iPhone OS 14.7 (18G69)"},
		{"Analytics-Journal-2021-03-02-000012.ips", "2021-03-02 01:00:12.00 +0100", "iPhone OS 14.4 (18D52)"},
		{"Analytics-Journal-2021-05-25-000009.ips", "2021-05-25 02:00:09.52 +0200", "iPhone OS 14.6 (18F72)"},
	}
	var out []iosgen.File
	for _, x := range js {
		data := fmt.Sprintf(`{"timestamp":"%s","os_version":"%s","_marker":"<end-of-header>","version":"1.0","bug_type":"211"}`+"\n"+
			`{"message":{"name":"com.apple.Safari.ExtensionUsage"},"deviceId":"0f5e"}`+"\n", x.ts, x.ver)
		out = append(out, iosgen.File{Path: "private/var/db/analyticsd/" + x.name, Data: []byte(data)})
	}
	return out
}
