package scan

import (
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/modules/pcapmod"
	"github.com/spyscan/spyscan/internal/network/modules/resolver"
	"github.com/spyscan/spyscan/internal/network/modules/suricata"
	"github.com/spyscan/spyscan/internal/network/modules/zeek"
)

// networkModules lists the capture and log modules.
func networkModules() []module.Module {
	mods := pcapmod.Modules() // network_dns, _tls, _http, _quic, _flows: one shared pass
	return append(mods,
		zeek.New(),
		suricata.New(),
		resolver.New(),
	)
}
