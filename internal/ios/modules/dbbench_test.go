package modules_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/cputime"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/sqlitex"
	"github.com/spyscan/spyscan/internal/testgen/iosgen"
)

// benchDBModule runs m b.N times over a filesystem dump holding only the
// database f, with the embedded indicators, and checks that it saw want
// rows and raised one alert per 1,000 (the generators plant them so).
func benchDBModule(b *testing.B, f iosgen.File, m module.Module, want int) {
	fsys := modtest.FS(map[string][]byte{f.Path: f.Data})
	ix := modtest.Index(b)
	b.SetBytes(int64(len(f.Data)))
	b.ResetTimer()
	cpu0 := cputime.Process()
	defer func() { b.ReportMetric(float64(cputime.Process()-cpu0)/float64(b.N), "cpu-ns/op") }()
	for i := 0; i < b.N; i++ {
		rec := module.NewRecorder(m.Name(), ix, nil)
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.IOSFilesystem, FS: fsys}, Index: ix, TempDir: b.TempDir()}
		if err := m.Run(context.Background(), in, rec); err != nil {
			b.Fatal(err)
		}
		if res := rec.Result(); res.Seen != want || len(res.Alerts) != want/1000 {
			b.Fatalf("seen %d alerts %d", res.Seen, len(res.Alerts))
		}
	}
}

// benchDBRead is benchDBModule's floor: open the same database the same
// way, run query and scan each row, without records or checks; want rows.
func benchDBRead(b *testing.B, f iosgen.File, query string, scan func(*sql.Rows) error, want int) {
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
		rows, err := db.Query(query)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			if err := scan(rows); err != nil {
				b.Fatal(err)
			}
			n++
		}
		rows.Close()
		db.Close()
		if n != want {
			b.Fatalf("read %d", n)
		}
	}
}
