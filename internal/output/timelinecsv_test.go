package output

import (
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/cputime"
	"github.com/spyscan/spyscan/internal/model"
)

// BenchmarkTimelineCSV writes 100,000 events of an iOS timeline's shape.
func BenchmarkTimelineCSV(b *testing.B) {
	events := make([]model.Event, 100_000)
	for i := range events {
		events[i] = model.Event{Time: time.Unix(1_600_000_000+int64(i), int64(i)*1000), Module: "safari_history", Event: "visit",
			Description: "Visited https://www.example.org/page/" + strings.Repeat("x", i%50) + " (Example page, 3 visits)"}
	}
	b.ReportAllocs()
	cpu := cputime.Process()
	defer func() { b.ReportMetric((cputime.Process()-cpu).Seconds()*1e3/float64(b.N), "cpu-ms/op") }()
	for b.Loop() {
		tw := NewTimelineCSV(discard{})
		for i := range events {
			if err := tw.Write(&events[i]); err != nil {
				b.Fatal(err)
			}
		}
		if err := tw.Flush(); err != nil {
			b.Fatal(err)
		}
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
