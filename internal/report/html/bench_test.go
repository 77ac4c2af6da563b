package html

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/testgen/reportgen"
)

// bigReport is a large case: 200k timeline events, 300 alerts, 20k input
// files; the report lists the first 500 events and 2000 files per input.
func bigReport() *model.Report {
	r := reportgen.Detected()
	t0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	events := make(model.Events, 0, 200_000)
	for i := range 200_000 {
		events = append(events, model.Event{Time: t0.Add(time.Duration(i) * time.Minute), Module: "sms",
			Event: "sms_received", Description: fmt.Sprintf("message %d", i)})
	}
	r.Timeline = events
	base := r.Alerts
	for i := range 100 {
		for _, a := range base {
			a.Time = t0.Add(time.Duration(i) * 24 * time.Hour)
			r.Alerts = append(r.Alerts, a)
		}
	}
	files := make([]model.InputFile, 20_000)
	for i := range files {
		files[i] = model.InputFile{Path: fmt.Sprintf("%02x/%038x", i%256, i), Size: int64(i), SHA256: strings.Repeat("ab", 32)}
	}
	r.Info.Inputs[0].Files = files
	return r
}

func BenchmarkRenderBig(b *testing.B) {
	r := bigReport()
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(io.Discard, r, "en"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderSmall(b *testing.B) {
	r := reportgen.Detected()
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(io.Discard, r, "fr"); err != nil {
			b.Fatal(err)
		}
	}
}
