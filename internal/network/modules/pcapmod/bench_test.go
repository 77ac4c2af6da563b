package pcapmod

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/network/capture"
	"github.com/spyscan/spyscan/internal/testgen/netgen"
)

// BenchmarkReport is the work of the five modules after the pass, on the
// pass's result of a generated 32 MB mix: records encoded, timeline events
// and their catalog messages built, every observed value checked against
// the indicators and kept as an observable (the sinks discard what they
// get; the scan core's spool and result files are benchmarked in
// internal/output).
func BenchmarkReport(b *testing.B) {
	var buf bytes.Buffer
	if _, err := netgen.WriteBenchCapture(&buf, 32<<20, 1); err != nil {
		b.Fatal(err)
	}
	res, err := capture.Analyze(context.Background(), bytes.NewReader(buf.Bytes()), "bench.pcap", capture.Options{})
	if err != nil {
		b.Fatal(err)
	}
	names := []string{capture.ModDNS, capture.ModTLS, capture.ModHTTP, capture.ModQUIC, capture.ModFlows}
	ix := index()
	sinks := module.Sinks{
		Records:     func(json.RawMessage) error { return nil },
		Events:      func(model.Event) error { return nil },
		Observables: func([]module.Observable) error { return nil },
	}
	b.ReportAllocs()
	for b.Loop() {
		shares := split(res, names)
		for _, n := range names {
			rec := module.NewStreamingRecorder(n, ix, sinks)
			report(rec, n, ix, "bench.pcap", shares[n])
			rec.Flush()
		}
	}
	b.ReportMetric(float64(len(res.Observations)), "values")
}
