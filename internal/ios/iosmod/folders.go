package iosmod

import (
	"strings"

	"github.com/spyscan/spyscan/internal/model"
)

// unusualFolders are folders Apple's own executables never run from, where
// implants were found running: Pegasus under /private/var/db/ (its
// roleaccountd staging folder in particular) and Predator under
// /private/var/tmp/ (Kaspersky, iShutdown, 2024; Amnesty's Pegasus
// forensic methodology, 2021). The most specific folder comes first.
var unusualFolders = []struct {
	prefix string
	level  model.Level
}{
	{"/private/var/db/com.apple.xpc.roleaccountd.staging/", model.High},
	{"/private/var/db/", model.Medium},
	{"/private/var/tmp/", model.Medium},
}

// UnusualFolder reports whether an executable or library path lies in a
// folder where Apple's own code never runs but implants were seen, with
// the folder and the alert level it deserves. The /var/ side of the
// /private/var symlink counts too.
func UnusualFolder(exe string) (folder string, level model.Level, ok bool) {
	if strings.HasPrefix(exe, "/var/") {
		exe = "/private" + exe
	}
	for _, f := range unusualFolders {
		if strings.HasPrefix(exe, f.prefix) {
			return f.prefix, f.level, true
		}
	}
	return "", 0, false
}
