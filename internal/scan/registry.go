package scan

import (
	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/acquire"
	"github.com/spyscan/spyscan/internal/ios/modules/backupinfo"
	"github.com/spyscan/spyscan/internal/ios/modules/configprofiles"
	"github.com/spyscan/spyscan/internal/ios/modules/filesystem"
	"github.com/spyscan/spyscan/internal/ios/modules/manifest"
	"github.com/spyscan/spyscan/internal/ios/modules/profileevents"
	"github.com/spyscan/spyscan/internal/ios/modules/shutdownlog"
	"github.com/spyscan/spyscan/internal/module"
)

// Openers lists, in order, the recognisers tried on each input. The first
// whose Detect says yes opens it. Add new acquisition kinds here.
func Openers() []acquisition.Opener {
	return []acquisition.Opener{
		acquire.Opener{}, // iOS backups, encrypted backups, filesystem dumps, sysdiagnose
	}
}

// Modules lists every artifact module. The core runs those whose Applies
// accepts the input kind. Add new modules here, one line each.
func Modules() []module.Module {
	return []module.Module{
		backupinfo.Module{},
		manifest.Module{},
		filesystem.Module{},
		shutdownlog.Module{},
		configprofiles.Module{},
		profileevents.Module{},
	}
}
