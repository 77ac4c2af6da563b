package modules_test

import (
	"context"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/cputime"
	"github.com/spyscan/spyscan/internal/ios/modules/cachefiles"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
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
	fsys := modtest.FS(map[string][]byte{f.Path: f.Data})
	ix := modtest.Index(b)
	b.SetBytes(int64(len(f.Data)))
	b.ResetTimer()
	cpu0 := cputime.Process()
	defer func() { b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op") }()
	for i := 0; i < b.N; i++ {
		rec := module.NewRecorder(cachefiles.Name, ix, nil)
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.IOSFilesystem, FS: fsys}, Index: ix, TempDir: b.TempDir()}
		if err := (cachefiles.New()).Run(context.Background(), in, rec); err != nil {
			b.Fatal(err)
		}
		if res := rec.Result(); res.Seen != cacheFilesBenchRows || len(res.Alerts) != cacheFilesBenchRows/1000 {
			b.Fatalf("seen %d alerts %d", res.Seen, len(res.Alerts))
		}
	}
}

// BenchmarkCacheFilesReadOnly is the floor: open the same database the
// same way and read the same columns, without records or checks.
func BenchmarkCacheFilesReadOnly(b *testing.B) {
	f, err := iosdata.LargeCacheDB(context.Background(), cacheFilesBenchRows)
	if err != nil {
		b.Fatal(err)
	}
	fsys := modtest.FS(map[string][]byte{f.Path: f.Data})
	b.SetBytes(int64(len(f.Data)))
	b.ResetTimer()
	cpu0 := cputime.Process()
	defer func() { b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op") }()
	for i := 0; i < b.N; i++ {
		db, err := sqlitex.Open(context.Background(), fsys, f.Path, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		rows, err := db.Query(`SELECT entry_ID, version, hash_value, storage_policy, request_key, time_stamp, partition FROM cfurl_cache_response ORDER BY entry_ID`)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var id, v, h, sp any
			var u, ts, p any
			if err := rows.Scan(&id, &v, &h, &sp, &u, &ts, &p); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		db.Close()
		if n != cacheFilesBenchRows {
			b.Fatalf("read %d", n)
		}
	}
}
