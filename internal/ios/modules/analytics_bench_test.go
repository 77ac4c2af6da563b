package modules_test

import (
	"context"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/cputime"
	"github.com/spyscan/spyscan/internal/ios/modules/analytics"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
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
	fsys := modtest.FS(map[string][]byte{f.Path: f.Data})
	ix := modtest.Index(b)
	b.SetBytes(int64(len(f.Data)))
	b.ResetTimer()
	cpu0 := cputime.Process()
	defer func() { b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op") }()
	for i := 0; i < b.N; i++ {
		rec := module.NewRecorder(analytics.Name, ix, nil)
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.IOSFilesystem, FS: fsys}, Index: ix, TempDir: b.TempDir()}
		if err := (analytics.New()).Run(context.Background(), in, rec); err != nil {
			b.Fatal(err)
		}
		if res := rec.Result(); res.Seen != analyticsBenchRows || len(res.Alerts) != analyticsBenchRows/1000 {
			b.Fatalf("seen %d alerts %d", res.Seen, len(res.Alerts))
		}
	}
}

// BenchmarkAnalyticsReadOnly is the floor: read the same rows and decode
// each plist, without records or checks.
func BenchmarkAnalyticsReadOnly(b *testing.B) {
	f, err := iosdata.LargeAnalyticsDB(context.Background(), analyticsBenchRows)
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
		rows, err := db.Query(`SELECT id, timestamp, data FROM hard_failures UNION ALL SELECT id, timestamp, data FROM soft_failures UNION ALL SELECT id, timestamp, data FROM notes`)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var id, ts any
			var data []byte
			if err := rows.Scan(&id, &ts, &data); err != nil {
				b.Fatal(err)
			}
			if _, err := analytics.ParseData(data); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		db.Close()
		if n != analyticsBenchRows {
			b.Fatalf("read %d", n)
		}
	}
}
