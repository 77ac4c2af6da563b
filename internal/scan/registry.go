package scan

import (
	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/acquire"
	iosacquire "github.com/spyscan/spyscan/internal/ios/acquire"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/logopen"
	"github.com/spyscan/spyscan/internal/network/pcapfile"
)

// Openers lists, in order, the recognisers tried on each input. The first
// whose Detect says yes opens it. Add new acquisition kinds here.
func Openers() []acquisition.Opener {
	return []acquisition.Opener{
		pcapfile.Opener{},
		iosacquire.Opener{},                                    // iOS backups, encrypted backups, filesystem dumps, sysdiagnose
		&acquire.QF{}, &acquire.Bugreport{}, &acquire.Backup{}, // androidqf before bugreport: it also has a dumpsys.txt
		&acquire.IntrusionLogs{}, // after androidqf, which holds them in a subfolder
		logopen.New(),            // Zeek and resolver logs: keep after the capture and device openers
	}
}

// Modules lists every artifact module. The core runs those whose Applies
// accepts the input kind. The per-platform lists are in registry_*mods.go (not registry_ios.go: a _ios suffix is a GOOS build constraint), one
// line per module.
func Modules() []module.Module {
	var mods []module.Module
	mods = append(mods, iosModules()...)
	mods = append(mods, androidModules()...)
	mods = append(mods, networkModules()...)
	return mods
}
