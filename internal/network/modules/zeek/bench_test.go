package zeek

import (
	"bytes"
	"context"
	"testing"
	"testing/fstest"

	"github.com/spyscan/spyscan/internal/acquisition"
	"github.com/spyscan/spyscan/internal/cputime"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/testgen/netlog"
)

// BenchmarkDNSLog runs the module over a generated 200,000-line dns.log
// with 20,000 distinct names. The module runs on one goroutine; lines/cpu-s
// divides by the process CPU time, which is steadier than wall time on a
// shared machine.
func BenchmarkDNSLog(b *testing.B) {
	const lines = 200_000
	var buf bytes.Buffer
	if err := netlog.WriteBenchDNS(&buf, lines, 20_000, false); err != nil {
		b.Fatal(err)
	}
	fsys := fstest.MapFS{"dns.log": {Data: buf.Bytes()}}
	ix := index(b)
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	cpu0 := cputime.Process()
	for b.Loop() {
		rec := module.NewRecorder(Name, ix, nil)
		in := &module.Input{Acq: &acquisition.Acquisition{Kind: acquisition.NetworkLog, FS: fsys}}
		if err := New().Run(context.Background(), in, rec); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*lines)/b.Elapsed().Seconds(), "lines/s")
	if cpu := cputime.Process() - cpu0; cpu > 0 {
		// CPU time counts every thread (GC included): lines per core-second.
		b.ReportMetric(float64(b.N*lines)/cpu.Seconds(), "lines/cpu-s")
	}
}
