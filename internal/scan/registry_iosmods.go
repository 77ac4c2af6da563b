package scan

import (
	"github.com/spyscan/spyscan/internal/module"
)

// iosModules lists the iOS modules.
func iosModules() []module.Module {
	return []module.Module{}
}
