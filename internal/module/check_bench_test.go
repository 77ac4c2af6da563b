package module

import (
	"fmt"
	"testing"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
)

// BenchmarkRecorderCheck is the cost of one Check call on the no-hit path
// (a value already observed once: the common case of a repeated domain).
func BenchmarkRecorderCheck(b *testing.B) {
	ix, _ := match.NewIndex([]match.Indicator{{Type: match.Domain, Value: "free247downloads.com", Sources: []model.Provenance{{Source: "t"}}}})
	vals := make([]string, 256)
	for i := range vals {
		vals[i] = fmt.Sprintf("host%d.example.org", i)
	}
	rec := NewRecorder("m", ix, nil)
	w := Where{Artifact: "a", Label: i18n.M("type.domain")}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec.CheckDomain(vals[i&255], w)
	}
}

// BenchmarkRecorderCheckDistinct checks 50,000 distinct URLs through a
// streaming recorder (the browser-history and messages modules: most values
// are new), batches handed to a sink that copies them as the spool does.
func BenchmarkRecorderCheckDistinct(b *testing.B) {
	ix, _ := match.NewIndex([]match.Indicator{{Type: match.Domain, Value: "free247downloads.com", Sources: []model.Provenance{{Source: "t"}}}})
	vals := make([]string, 50_000)
	for i := range vals {
		vals[i] = fmt.Sprintf("https://host%d.example.org/p?q=%d", i%5000, i)
	}
	w := Where{Artifact: "a", Label: i18n.M("type.url")}
	var kept []Observable
	sinks := Sinks{Observables: func(batch []Observable) error { kept = append(kept[:0], batch...); return nil }}
	b.ReportAllocs()
	for b.Loop() {
		rec := NewStreamingRecorder("m", ix, sinks)
		for _, v := range vals {
			rec.CheckURL(v, w)
		}
		rec.Flush()
	}
}
