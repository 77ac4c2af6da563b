package output

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/spill"
)

// Spool holds the timeline events and the observables of a running scan on
// disk: each module's recorder streams into it, it keeps a bounded amount
// in memory, and it gives back the merged, sorted timeline and the merged
// observables, read again from its sorted runs each time. It is safe for
// concurrent use. Close removes its files.
type Spool struct {
	dir    string
	events *spill.Sorter[model.Event]
	obs    *spill.Sorter[obsItem]
	places *placeTable // of the observables' items

	mu        sync.Mutex
	lists     []*os.File                 // of NewFileList
	artifacts map[inputArtifact]struct{} // named by the events
}

// inputArtifact is an event's input and artifact.
type inputArtifact struct{ input, artifact string }

// NewSpool creates a spool in a new private folder under parent ("" for
// the system's temporary folder).
func NewSpool(parent string) (*Spool, error) {
	dir, err := os.MkdirTemp(parent, "spyscan-spool-*")
	if err != nil {
		return nil, fmt.Errorf("spool: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("spool: %w", err)
	}
	places := newPlaceTable()
	return &Spool{dir: dir, events: spill.New(dir, eventBudget, eventCodec), obs: spill.New(dir, observableBudget, itemCodec(places)),
		places: places, artifacts: map[inputArtifact]struct{}{}}, nil
}

// Sinks returns the recorder sinks of one module run on one input (input
// is "" in a single-input scan). Records are not spooled: they go to the
// module's own file.
func (s *Spool) Sinks(mod, input string) module.Sinks {
	return module.Sinks{
		Events: func(e model.Event) error {
			e.Input = input
			s.noteArtifact(input, e.Artifact)
			return s.events.Add(e)
		},
		Observables: (&obsSink{table: s.places, sorter: s.obs, mod: mod, input: input}).add,
	}
}

// noteArtifact adds an event's artifact to the distinct ones (a module
// names a few files, each in many events).
func (s *Spool) noteArtifact(input, artifact string) {
	k := inputArtifact{input, artifact}
	s.mu.Lock()
	if _, ok := s.artifacts[k]; !ok {
		s.artifacts[k] = struct{}{}
	}
	s.mu.Unlock()
}

// Timeline is the merged timeline of every module, sorted. It is a
// model.ArtifactTimeline.
func (s *Spool) Timeline() model.Timeline { return spoolTimeline{s} }

// Observables are the checked values, merged: one record per value and
// place, with counts added up and the earliest time kept.
func (s *Spool) Observables() Observables { return spoolObservables{s.obs} }

// Close removes the spool's files.
func (s *Spool) Close() error {
	err := errors.Join(s.events.Close(), s.closeLists())
	if err2 := s.obs.Close(); err == nil {
		err = err2
	}
	if err2 := os.RemoveAll(s.dir); err == nil {
		err = err2
	}
	return err
}

type spoolTimeline struct{ s *Spool }

func (t spoolTimeline) Len() int                               { return t.s.events.Len() }
func (t spoolTimeline) Each(fn func(*model.Event) error) error { return t.s.events.Each(fn) }

// EachArtifact calls fn with each distinct input and artifact of the
// events, in no particular order.
func (t spoolTimeline) EachArtifact(fn func(input, artifact string)) {
	t.s.mu.Lock()
	keys := make([]inputArtifact, 0, len(t.s.artifacts))
	for k := range t.s.artifacts {
		keys = append(keys, k)
	}
	t.s.mu.Unlock()
	for _, k := range keys {
		fn(k.input, k.artifact)
	}
}

type spoolObservables struct {
	s *spill.Sorter[obsItem]
}

func (o spoolObservables) Each(fn func(*ObservableRecord) error) error {
	return mergeSightings(o.records, fn)
}

// records calls fn with the record of each item, in order.
func (o spoolObservables) records(fn func(*ObservableRecord) error) error {
	var r ObservableRecord
	return o.s.Each(func(it *obsItem) error {
		it.record(&r)
		return fn(&r)
	})
}

// mergeSightings folds adjacent records of the same value and place (the
// runs of a sorted stream) into one.
func mergeSightings(each func(func(*ObservableRecord) error) error, fn func(*ObservableRecord) error) error {
	var cur ObservableRecord
	have := false
	err := each(func(o *ObservableRecord) error {
		if have && compareObservables(&cur, o) == 0 {
			cur.Count += o.Count
			if !o.FirstSeen.IsZero() && (cur.FirstSeen.IsZero() || o.FirstSeen.Before(cur.FirstSeen)) {
				cur.FirstSeen = o.FirstSeen
			}
			if cur.What == "" {
				cur.What, cur.WhatMsg = o.What, o.WhatMsg
			}
			return nil
		}
		if have {
			if err := fn(&cur); err != nil {
				return err
			}
		}
		cur, have = *o, true
		return nil
	})
	if err != nil || !have {
		return err
	}
	return fn(&cur)
}

// Observables is a set of checked values that can be read, in order, any
// number of times.
type Observables interface {
	Each(fn func(*ObservableRecord) error) error
}

// ObservableList is an in-memory set of observables, read in its order.
type ObservableList []ObservableRecord

// Each calls fn with every observable.
func (l ObservableList) Each(fn func(*ObservableRecord) error) error {
	for i := range l {
		if err := fn(&l[i]); err != nil {
			return err
		}
	}
	return nil
}
