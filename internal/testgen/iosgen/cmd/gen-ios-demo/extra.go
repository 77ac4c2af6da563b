package main

import (
	"context"

	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
	"github.com/spyscan/spyscan/internal/testgen/iossys"
)

// extraFiles returns the artifact fixtures of internal/testgen/iosdata
// (SMS, Safari, DataUsage, TCC, WebKit, WhatsApp, browsers, ...) with a few
// hundred ordinary rows, and the system artifacts of iossys (Analytics,
// applications, locationd, ...), each with planted hits and clean
// look-alikes. Files without a backup domain are left out by the backup
// writer.
func extraFiles(ctx context.Context) ([]iosgen.File, error) {
	out := iosdata.All(200)
	out = append(out, iossys.VersionHistory()...)
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
