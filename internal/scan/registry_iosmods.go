package scan

import (
	"github.com/spyscan/spyscan/internal/ios/modules/backupinfo"
	"github.com/spyscan/spyscan/internal/ios/modules/configprofiles"
	"github.com/spyscan/spyscan/internal/ios/modules/filesystem"
	"github.com/spyscan/spyscan/internal/ios/modules/manifest"
	"github.com/spyscan/spyscan/internal/ios/modules/profileevents"
	"github.com/spyscan/spyscan/internal/ios/modules/shutdownlog"
	"github.com/spyscan/spyscan/internal/module"
)

// iosModules lists the iOS modules, one line each.
func iosModules() []module.Module {
	return []module.Module{
		// acquisition-level
		backupinfo.Module{},
		manifest.Module{},
		filesystem.Module{},
		shutdownlog.Module{},
		configprofiles.Module{},
		profileevents.Module{},
		// artifacts
	}
}
