package recheck

import (
	"context"
	"fmt"
	"testing"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
)

// BenchmarkRecheck100k rechecks 100,000 stored domains against 10,000
// indicators, 100 of which match.
func BenchmarkRecheck100k(b *testing.B) {
	var inds []match.Indicator
	for i := range 10_000 {
		inds = append(inds, match.Indicator{Type: match.Domain, Value: fmt.Sprintf("evil%d.example", i), Sources: src("X")})
	}
	ix := index(inds...)
	obs := make([]output.ObservableRecord, 0, 100_000)
	for i := range 100_000 {
		v := fmt.Sprintf("host%d.benign.example", i)
		if i%1000 == 0 {
			v = fmt.Sprintf("cdn.evil%d.example", i/1000)
		}
		obs = append(obs, output.ObservableRecord{Module: "m", Observable: module.Observable{Type: match.Domain, Value: v, Artifact: "a", Count: 1}})
	}
	stored := &model.Report{}
	b.ReportAllocs()
	for b.Loop() {
		res, err := Run(context.Background(), stored, obs, ix)
		if err != nil || len(res.New) != 100 {
			b.Fatalf("%v, %d new", err, len(res.New))
		}
	}
}
