// Package recheck owns `spyscan recheck`: it runs the current indicators
// against the values a past scan checked (observables.jsonl.gz), through the
// same module.Recorder Check path as a scan, without the acquisition, and
// tells which indicator alerts are new compared with the stored ones.
package recheck

import (
	"context"
	"fmt"

	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/output"
)

// Result is the outcome of a recheck.
type Result struct {
	// Alerts are the stored heuristic alerts plus every indicator alert
	// the current indicators raise, sorted.
	Alerts []model.Alert
	// New are the indicator alerts that the stored alerts did not have.
	New []model.Alert
	// Gone are stored indicator alerts the current indicators no longer raise.
	Gone []model.Alert
	// Checked counts the observables checked; Unsupported, those of a type
	// values are never checked as (match.Lookup has none; left out).
	Checked, Unsupported int
}

// Lookup returns the index lookup that checks values of observable type t
// (match.Lookup(t), the one a scan's Recorder.Check runs) bound to ix, or
// nil when t cannot be rechecked. Retro-hunt matches each distinct stored
// value once with it, then builds the alerts of the hits with
// module.IndicatorAlert, as the Recorder does.
func Lookup(ix *match.Index, t match.Type) func(string) []model.Match {
	l := match.Lookup(t)
	if l == nil {
		return nil
	}
	return func(v string) []model.Match { return l(ix, v) }
}

type recKey struct{ module, input string }

// Run rechecks the observables of a stored report with index ix.
func Run(ctx context.Context, stored *model.Report, obs []output.ObservableRecord, ix *match.Index) (*Result, error) {
	res := &Result{}
	recs := map[recKey]*module.Recorder{}
	var order []recKey
	for i, o := range obs {
		if i%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("recheck: %w", err)
			}
		}
		if match.Lookup(o.Type) == nil {
			res.Unsupported++
			continue
		}
		k := recKey{o.Module, o.Input}
		rec := recs[k]
		if rec == nil {
			rec = module.NewRecorder(o.Module, ix, nil)
			recs[k] = rec
			order = append(order, k)
		}
		rec.Check(o.Type, o.Value, module.Where{Artifact: o.Artifact, Time: o.FirstSeen, Label: module.LabelOf(o.WhatMsg, o.What)})
		res.Checked++
	}
	var fresh []model.Alert
	for _, k := range order {
		for _, a := range recs[k].Result().Alerts {
			a.Input = k.input
			fresh = append(fresh, a)
		}
	}
	storedHits := map[string]bool{}
	for _, a := range stored.Alerts {
		if a.Match == nil {
			res.Alerts = append(res.Alerts, a) // heuristics cannot be rechecked: kept
			continue
		}
		storedHits[Key(a)] = true
	}
	freshHits := map[string]bool{}
	for _, a := range fresh {
		freshHits[Key(a)] = true
		res.Alerts = append(res.Alerts, a)
		if !storedHits[Key(a)] {
			res.New = append(res.New, a)
		}
	}
	for _, a := range stored.Alerts {
		if a.Match != nil && !freshHits[Key(a)] {
			res.Gone = append(res.Gone, a)
		}
	}
	model.SortAlerts(res.Alerts)
	model.SortAlerts(res.New)
	model.SortAlerts(res.Gone)
	return res, nil
}

// Key identifies an indicator alert (a.Match != nil) independently of its
// record and time: the same value, in the same place, matching the same
// indicator. Recheck and the lab's retro-hunt tell new hits by it.
func Key(a model.Alert) string {
	return fmt.Sprintf("%s\x00%s\x00%s\x00%s\x00%s\x00%s", a.Input, a.Module, a.Artifact, a.Match.Type, a.Match.Observed, a.Match.Indicator)
}
