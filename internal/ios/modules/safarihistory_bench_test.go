package modules_test

import (
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/ios/modules/safarihistory"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

// 100,000 visits over 14,000 distinct URLs.
func BenchmarkSafariHistory100k(b *testing.B) {
	modtest.Bench(b, safarihistory.New(), acquisition.IOSBackup, modtest.BackupFS(iosdata.SafariHistory(100_000)))
}
