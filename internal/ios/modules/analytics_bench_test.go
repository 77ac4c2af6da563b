package modules_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/analytics"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

const analyticsBenchRows = 3000

// BenchmarkAnalytics runs the module over an analytics database of
// benchRows plist rows with the embedded indicators.
func BenchmarkAnalytics(b *testing.B) {
	f, err := iosdata.LargeAnalyticsDB(context.Background(), analyticsBenchRows)
	if err != nil {
		b.Fatal(err)
	}
	benchDBModule(b, f, analytics.New(), analyticsBenchRows)
}

// BenchmarkAnalyticsReadOnly is the floor: read the same rows and decode
// each plist, without records or checks.
func BenchmarkAnalyticsReadOnly(b *testing.B) {
	f, err := iosdata.LargeAnalyticsDB(context.Background(), analyticsBenchRows)
	if err != nil {
		b.Fatal(err)
	}
	benchDBRead(b, f, `SELECT id, timestamp, data FROM hard_failures UNION ALL SELECT id, timestamp, data FROM soft_failures UNION ALL SELECT id, timestamp, data FROM notes`,
		func(rows *sql.Rows) error {
			var id, ts any
			var data []byte
			if err := rows.Scan(&id, &ts, &data); err != nil {
				return err
			}
			_, err := analytics.ParseData(data)
			return err
		}, analyticsBenchRows)
}
