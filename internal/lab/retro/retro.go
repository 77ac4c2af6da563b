// Package retro owns the lab's retro-hunt: when the indicator set
// changes, the values every stored scan checked (its observables, kept in
// the store) are checked again against the new set, without reading any
// acquisition or result folder. Each distinct value is matched once, with
// the same index lookup a scan's Recorder uses (recheck.Lookup); only the
// values that match are expanded to the places they were seen, and each
// such place becomes the alert a scan would have raised there
// (module.IndicatorAlert), with the indicator's provenance. Hits the scan
// did not have are stored as NEW; stored indicator alerts whose indicator
// no longer matches are marked gone (withdrawn), and unmarked if it comes
// back.
package retro

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/spyscan/spyscan/internal/lab/iocset"
	"github.com/spyscan/spyscan/internal/lab/store"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/recheck"
)

// Hunter runs retro-hunts, one at a time.
type Hunter struct {
	Store      *store.Store
	Indicators *iocset.Holder
	Log        *slog.Logger

	mu sync.Mutex
}

// DigestSetting names the store setting holding the digest of the last
// complete retro-hunt.
const DigestSetting = "retro_digest"

// hit is a distinct stored value that matches.
type hit struct {
	v  store.Value
	ms []model.Match
}

// Run re-checks the observables of the given scans (every finished scan
// when scans is empty) against the current indicators.
func (h *Hunter) Run(ctx context.Context, reason string, by int64, scans []int64) (*store.RetroRun, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	log := h.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cur := h.Indicators.Current()
	run, err := h.Store.StartRetro(ctx, cur.Digest, reason, by)
	if err != nil {
		return nil, fmt.Errorf("retro-hunt: %w", err)
	}
	start := time.Now()
	err = h.hunt(ctx, cur, run, scans)
	run.Took = time.Since(start)
	run.State = "done"
	if err != nil {
		run.State, run.Error = "failed", err.Error()
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if eerr := h.Store.EndRetro(wctx, run); eerr != nil {
		err = errors.Join(err, eerr)
	}
	if err != nil {
		return run, fmt.Errorf("retro-hunt %d: %w", run.ID, err)
	}
	if len(scans) == 0 {
		if err := h.Store.SetSetting(wctx, DigestSetting, cur.Digest); err != nil {
			return run, err
		}
	}
	log.Info("retro-hunt done", "run", run.ID, "reason", reason, "values", run.Values, "observables", run.Observables,
		"scans", run.Scans, "new", run.NewMatches, "gone", run.Gone, "took", run.Took)
	return run, nil
}

func (h *Hunter) hunt(ctx context.Context, cur *iocset.Current, run *store.RetroRun, scans []int64) error {
	lookups := map[match.Type]func(string) []model.Match{}
	var hits []hit
	n := 0
	err := h.Store.EachValue(ctx, scans, func(v store.Value) error {
		if n++; n%8192 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		look, ok := lookups[v.Type]
		if !ok {
			look = recheck.Lookup(cur.Index, v.Type)
			lookups[v.Type] = look
		}
		if look == nil {
			return nil // a type no Check method handles (from a newer spyscan)
		}
		run.Values++
		if ms := look(v.Value); len(ms) > 0 {
			hits = append(hits, hit{v, ms})
		}
		return nil
	})
	if err != nil {
		return err
	}
	inScope := map[int64]bool{}
	for _, id := range scans {
		inScope[id] = true
	}
	stored, err := h.Store.IndicatorAlerts(ctx)
	if err != nil {
		return err
	}
	existing := map[int64]map[string]store.AlertRef{}
	for _, r := range stored {
		if len(scans) > 0 && !inScope[r.ScanID] {
			continue
		}
		if existing[r.ScanID] == nil {
			existing[r.ScanID] = map[string]store.AlertRef{}
		}
		existing[r.ScanID][r.Key] = r
	}
	current := map[int64]map[string]bool{}
	var fresh []store.NewAlert
	var back []int64
	for _, ht := range hits {
		sightings, err := h.Store.Sightings(ctx, ht.v, scans)
		if err != nil {
			return err
		}
		for _, s := range sightings {
			for _, m := range ht.ms {
				a := module.IndicatorAlert(m, module.Where{Artifact: s.Artifact, Time: s.FirstSeen, Label: module.LabelOf(s.WhatMsg, s.What)})
				a.Module, a.Input = s.Module, s.Input
				k := store.AlertKey(a)
				if current[s.ScanID] == nil {
					current[s.ScanID] = map[string]bool{}
				}
				if current[s.ScanID][k] {
					continue
				}
				current[s.ScanID][k] = true
				if ref, ok := existing[s.ScanID][k]; ok {
					if ref.Gone {
						back = append(back, ref.ID)
					}
					continue
				}
				fresh = append(fresh, store.NewAlert{ScanID: s.ScanID, CaseID: s.CaseID, Alert: a, Origin: store.FromRetro,
					RetroRun: run.ID, New: true})
			}
		}
	}
	var gone []int64
	for scan, refs := range existing {
		for k, r := range refs {
			if !r.Gone && !current[scan][k] {
				gone = append(gone, r.ID)
			}
		}
	}
	if err := h.Store.AddAlerts(ctx, fresh); err != nil {
		return err
	}
	if err := h.Store.MarkGone(ctx, run.ID, gone, back); err != nil {
		return err
	}
	if err := h.Store.SetChecked(ctx, cur.Digest, scans); err != nil {
		return err
	}
	rows, withObs, err := h.Store.ObservableCounts(ctx, scans)
	if err != nil {
		return err
	}
	run.Observables, run.Scans, run.NewMatches, run.Gone = rows, int(withObs), len(fresh), len(gone)
	return nil
}

// CatchUp re-checks one scan that finished with an indicator set other
// than the current one (it was queued before an update), so that no scan
// escapes the retro-hunt of the set it missed.
func (h *Hunter) CatchUp(ctx context.Context, sc *store.Scan) {
	if sc.CheckedDigest == h.Indicators.Current().Digest {
		return
	}
	if _, err := h.Run(ctx, "scan finished with older indicators", 0, []int64{sc.ID}); err != nil && h.Log != nil {
		h.Log.Error("retro-hunt of a scan", "scan", sc.ID, "err", err)
	}
}

// Pending reports whether the indicators changed since the last complete
// retro-hunt (or since the store has scans, for a first run).
func (h *Hunter) Pending(ctx context.Context) (bool, error) {
	last, err := h.Store.Setting(ctx, DigestSetting)
	if err != nil {
		return false, err
	}
	return last != h.Indicators.Current().Digest, nil
}
