package hashes_test

import (
	"context"
	"testing"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/android/modules/hashes"
	"github.com/spyscan/spyscan/internal/modtest"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
	"github.com/spyscan/spyscan/internal/testgen/androidgen"
)

// BenchmarkVerify verifies hashes.csv of an androidqf acquisition with
// 2,000 packages and 100,000 files.json entries (about 45 MB).
func BenchmarkVerify(b *testing.B) {
	m := map[string][]byte{}
	for _, f := range androidgen.QFFiles("q", androidgen.Files(androiddata.AndroidQF(androiddata.Options{Packages: 2000, Files: 100000}))) {
		m[f.Path] = f.Data
	}
	fsys := modtest.FS(m)
	var n int64
	for _, b := range m {
		n += int64(len(b))
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		rec := module.NewRecorder(hashes.Name, nil, nil)
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.AndroidQF, FS: fsys}}
		if err := (hashes.New()).Run(context.Background(), in, rec); err != nil {
			b.Fatal(err)
		}
		if len(rec.Result().Alerts) != 0 {
			b.Fatal("alerts")
		}
	}
}
