package modules_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/spyscan/spyscan/internal/ios/modules/cachefiles"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

const cacheFilesBenchRows = 20000

// BenchmarkCacheFiles runs the module over a Cache.db of benchRows rows
// with the embedded indicators.
func BenchmarkCacheFiles(b *testing.B) {
	f, err := iosdata.LargeCacheDB(context.Background(), cacheFilesBenchRows)
	if err != nil {
		b.Fatal(err)
	}
	benchDBModule(b, f, cachefiles.New(), cacheFilesBenchRows)
}

// BenchmarkCacheFilesReadOnly is the floor: open the same database the
// same way and read the same columns, without records or checks.
func BenchmarkCacheFilesReadOnly(b *testing.B) {
	f, err := iosdata.LargeCacheDB(context.Background(), cacheFilesBenchRows)
	if err != nil {
		b.Fatal(err)
	}
	benchDBRead(b, f, `SELECT entry_ID, version, hash_value, storage_policy, request_key, time_stamp, partition FROM cfurl_cache_response ORDER BY entry_ID`,
		func(rows *sql.Rows) error {
			var id, v, h, sp any
			var u, ts, p any
			return rows.Scan(&id, &v, &h, &sp, &u, &ts, &p)
		}, cacheFilesBenchRows)
}
