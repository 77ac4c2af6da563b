package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/datausage"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

// 100,000 live-usage rows over 10,000 processes.
func BenchmarkDataUsage100k(b *testing.B) {
	modtest.Bench(b, datausage.NewDataUsage(), acquisition.IOSBackup, modtest.BackupFS(iosdata.DataUsage(100_000)))
}
