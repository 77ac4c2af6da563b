package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/resourceloadstats"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

// 100,000 observed domains and 100,000 redirects.
func BenchmarkWebKitObservations100k(b *testing.B) {
	modtest.Bench(b, resourceloadstats.New(), acquisition.IOSBackup, modtest.BackupFS(iosdata.Observations(100_000)))
}
