package scan

import (
	"errors"
	"fmt"
	"slices"
	"strings"

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
// accepts the input kind. The per-platform lists are in registry_*mods.go,
// one line per module (not registry_ios.go: an _ios suffix is a GOOS build
// constraint). registry_test.go checks that every package under
// internal/*/modules/ is listed and that names are unique and well formed.
func Modules() []module.Module {
	var mods []module.Module
	mods = append(mods, iosModules()...)
	mods = append(mods, androidModules()...)
	mods = append(mods, networkModules()...)
	return mods
}

// ErrUnknownModule is returned by Select for a name no module has.
var ErrUnknownModule = errors.New("unknown module")

// Select returns the modules of mods named in names, in the registry's
// order (as `scan --modules` and MVT's --module choose them). An unknown
// name is an error naming it. Modules sharing one pass over an acquisition
// still share it when only some of them are selected.
func Select(mods []module.Module, names []string) ([]module.Module, error) {
	want := map[string]bool{}
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" {
			want[n] = true
		}
	}
	var out []module.Module
	for _, m := range mods {
		if want[m.Name()] {
			out = append(out, m)
			delete(want, m.Name())
		}
	}
	if len(want) > 0 {
		unknown := make([]string, 0, len(want))
		for n := range want {
			unknown = append(unknown, n)
		}
		slices.Sort(unknown)
		return nil, fmt.Errorf("%w: %s", ErrUnknownModule, strings.Join(unknown, ", "))
	}
	return out, nil
}
