package scan

import (
	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/logopen"
	"github.com/spyscan/spyscan/internal/network/modules/resolver"
	"github.com/spyscan/spyscan/internal/network/modules/zeek"
)

// Openers lists, in order, the recognisers tried on each input. The first
// whose Detect says yes opens it. Add new acquisition kinds here.
func Openers() []acquisition.Opener {
	return []acquisition.Opener{
		logopen.New(), // Zeek and resolver logs: keep after the capture and device openers
	}
}

// Modules lists every artifact module. The core runs those whose Applies
// accepts the input kind. Add new modules here, one line each.
func Modules() []module.Module {
	return []module.Module{
		zeek.New(),
		resolver.New(),
	}
}
