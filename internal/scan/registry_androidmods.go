package scan

import (
	"github.com/spyscan/spyscan/internal/android/modules/backupsms"
	"github.com/spyscan/spyscan/internal/android/modules/hashes"
	"github.com/spyscan/spyscan/internal/module"
)

// androidModules lists the Android modules.
func androidModules() []module.Module {
	return []module.Module{
		backupsms.Module{}, // links in SMS/MMS backups
		hashes.Module{},    // androidqf hashes.csv
	}
}
