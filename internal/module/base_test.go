package module_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/module"
)

func TestBase(t *testing.T) {
	qf := module.NewBase("m", 3, module.Kinds(acquisition.AndroidQF, acquisition.AndroidBugreport))
	if qf.Name() != "m" || qf.Version() != 3 {
		t.Errorf("name %q version %d", qf.Name(), qf.Version())
	}
	for k, want := range map[acquisition.Kind]bool{acquisition.AndroidQF: true, acquisition.AndroidBugreport: true, acquisition.PCAP: false} {
		if qf.Applies(k) != want {
			t.Errorf("Kinds applies to %s: %v", k, !want)
		}
	}
	f := module.NewBase("f", 1, module.AppliesFunc(func(k acquisition.Kind) bool { return k == acquisition.PCAP }))
	if !f.Applies(acquisition.PCAP) || f.Applies(acquisition.IOSBackup) {
		t.Error("AppliesFunc")
	}
	var zero module.Base
	if zero.Applies(acquisition.PCAP) || zero.Name() != "" {
		t.Error("a zero Base must apply to nothing")
	}
}
