package stixexport

import (
	"io"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

// BenchmarkExport1000 exports 1,000 indicator hits.
func BenchmarkExport1000(b *testing.B) {
	r := reportgen.Detected()
	base := r.Alerts[:2]
	r.Alerts = nil
	for i := range 500 {
		for _, a := range base {
			a.Time = a.Time.Add(time.Duration(i) * time.Minute)
			r.Alerts = append(r.Alerts, a)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, r); err != nil {
			b.Fatal(err)
		}
	}
}
