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
