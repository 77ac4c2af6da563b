package main

import (
	"context"

	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
	"github.com/spyscan/spyscan/internal/testgen/iossys"
)

// extraFiles returns the artifact fixtures (SMS, Safari, DataUsage, TCC,
// WebKit, Analytics, ...) of internal/testgen/iosdata and iossys, each with
// its planted hits and look-alikes, without filler rows so the demo stays
// small. Files without a backup domain are left out by the backup writer.
func extraFiles(ctx context.Context) ([]iosgen.File, error) {
	var out []iosgen.File
	for _, fs := range [][]iosgen.File{
		iosdata.SMS(0), iosdata.SafariHistory(0), iosdata.DataUsage(0), iosdata.NetUsage(),
		iosdata.TCC(), iosdata.Calendar(), iosdata.Shortcuts(), iosdata.InteractionC(), iosdata.Calls(),
		iosdata.Contacts(), iosdata.WhatsApp(), iosdata.SessionResourceLog(), iosdata.Observations(0),
		iosdata.IDStatusCache(), iossys.VersionHistory(),
	} {
		out = append(out, fs...)
	}
	gens := []func() ([]iosgen.File, error){
		iossys.OSAnalyticsADDaily, iossys.Applications, iossys.LocationdClients,
		func() ([]iosgen.File, error) { return iossys.Analytics(ctx) },
		func() ([]iosgen.File, error) { return iossys.CacheFiles(ctx) },
		func() ([]iosgen.File, error) { return iossys.GlobalPreferences(iossys.LockdownOff) },
	}
	for _, g := range gens {
		fs, err := g()
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}
