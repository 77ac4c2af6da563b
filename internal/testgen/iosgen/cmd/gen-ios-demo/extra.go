package main

import (
	"context"

	"github.com/spyscan/spyscan/internal/testgen/iosdata"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// extraFiles returns the artifact fixtures of internal/testgen/iosdata
// (SMS, Safari, DataUsage, TCC, WebKit, WhatsApp, browsers, ...) with a few
// hundred ordinary rows, and the system artifacts (Analytics,
// applications, locationd, ...), each with planted hits and clean
// look-alikes. Files without a backup domain are left out by the backup
// writer.
func extraFiles(ctx context.Context) ([]iosgen.File, error) {
	out := iosdata.All(200)
	out = append(out, iosdata.VersionHistory()...)
	out = append(out, iosdata.OSAnalyticsADDaily()...)
	out = append(out, iosdata.Applications()...)
	out = append(out, iosdata.LocationdClients()...)
	for _, gen := range []func(context.Context) ([]iosgen.File, error){iosdata.Analytics, iosdata.CacheFiles} {
		fs, err := gen(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	out = append(out, iosdata.GlobalPreferences(iosdata.LockdownOff)...)
	return out, nil
}
