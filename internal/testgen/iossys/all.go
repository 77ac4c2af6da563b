package iossys

import (
	"context"

	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// All returns every fixture of the package, for writing a whole synthetic
// backup or dump (demo data, end-to-end tests, benchmarks). The backup's
// Info.plist of the Applications fixture (empty Domain) is included; the
// backup writer skips it, as it writes its own.
func All(ctx context.Context) ([]iosgen.File, error) {
	var out []iosgen.File
	add := func(fs []iosgen.File, err error) error {
		out = append(out, fs...)
		return err
	}
	steps := []func() error{
		func() error { return add(VersionHistory(), nil) },
		func() error { return add(Applications()) },
		func() error { return add(GlobalPreferences(LockdownOff)) },
		func() error { return add(CacheFiles(ctx)) },
		func() error { return add(Analytics(ctx)) },
		func() error { return add(LocationdClients()) },
		func() error { return add(OSAnalyticsADDaily()) },
		func() error { return add(WebKitFolders(ctx)) },
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
