package module

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
)

// refBatches is the recorder's observables as it made them with one slice
// per batch (before the chunks): what a streaming recorder hands its sink,
// one slice per batch, and what it holds without a sink.
type refBatches struct {
	obs     map[obsKey]int
	cur     []Observable
	batches [][]Observable
	stream  bool
}

func (r *refBatches) observe(t match.Type, value string, w Where) {
	k := obsKey{t, value, w.Artifact}
	i, ok := r.obs[k]
	if !ok {
		l := w.label()
		r.cur = append(r.cur, Observable{Type: t, Value: value, Artifact: w.Artifact, What: i18n.English(l), WhatMsg: l, FirstSeen: w.Time.UTC()})
		i = len(r.cur) - 1
		r.obs[k] = i
	} else if o := &r.cur[i]; !w.Time.IsZero() && (o.FirstSeen.IsZero() || w.Time.Before(o.FirstSeen)) {
		o.FirstSeen = w.Time.UTC()
	}
	r.cur[i].Count++
	if r.stream && len(r.cur) >= ObservableBatch {
		r.flush()
	}
}

func (r *refBatches) flush() {
	if len(r.cur) > 0 {
		r.batches = append(r.batches, r.cur)
	}
	r.cur, r.obs = nil, map[obsKey]int{}
}

// TestObservablesAsOneSlice: the values a streaming recorder hands its
// sink, concatenated, are those of one slice per batch, in the same
// order, with the same counts, times and labels, for runs of 0 to three
// batches of values seen once or many times (with and without times,
// under two labels); a recorder without sink holds the same values.
func TestObservablesAsOneSlice(t *testing.T) {
	base := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name           string
		checks, values int
	}{
		{"none", 0, 1}, {"one", 1, 1}, {"few repeated", 300, 7}, {"one chunk", 8, 8}, {"chunk edge", 9, 9},
		{"distinct", 3 * ObservableBatch / 2, 1 << 30}, {"repeated over batches", 20_000, 6_000},
		{"exactly a batch", ObservableBatch, 1 << 30}, {"three batches", 3*ObservableBatch + 5, 1 << 30},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, uint64(tt.checks)))
			var got []Observable
			stream := NewStreamingRecorder("m", nil, Sinks{Observables: func(b []Observable) error {
				if len(b) == 0 {
					t.Error("sink called with no values")
				}
				got = append(got, b...)
				return nil
			}})
			kept := NewRecorder("m", nil, nil)
			ref := &refBatches{obs: map[obsKey]int{}, stream: true}
			refKept := &refBatches{obs: map[obsKey]int{}}
			for i := range tt.checks {
				v := rng.IntN(min(tt.values, tt.checks))
				if tt.values == 1<<30 {
					v = i
				}
				w := Where{Artifact: fmt.Sprintf("a%d", v%3)}
				if rng.IntN(3) > 0 {
					w.Time = base.Add(time.Duration(rng.IntN(1000)) * time.Minute)
				}
				if rng.IntN(2) == 0 {
					w.Label = i18n.M("ios.manifest.what_path")
				}
				typ := []match.Type{match.Domain, match.URL}[v%2]
				value := fmt.Sprintf("v%d.example", v)
				stream.observe(typ, value, w)
				kept.observe(typ, value, w)
				ref.observe(typ, value, w)
				refKept.observe(typ, value, w)
			}
			stream.Flush()
			ref.flush()
			var want []Observable
			for _, b := range ref.batches {
				want = append(want, b...)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("sink got %d values, want %d (or they differ)", len(got), len(want))
			}
			refKept.flush()
			var wantKept []Observable
			if len(refKept.batches) > 0 {
				wantKept = refKept.batches[0]
			}
			gotKept := kept.Observables()
			if len(gotKept) != len(wantKept) {
				t.Fatalf("kept %d values, want %d", len(gotKept), len(wantKept))
			}
			byKey := map[obsKey]Observable{}
			for _, o := range wantKept {
				byKey[obsKey{o.Type, o.Value, o.Artifact}] = o
			}
			for _, o := range gotKept {
				if w := byKey[obsKey{o.Type, o.Value, o.Artifact}]; !reflect.DeepEqual(o, w) {
					t.Errorf("kept %+v, want %+v", o, w)
				}
			}
		})
	}
}
