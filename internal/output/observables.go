package output

import (
	"io"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
)

// ObservableLine is one line of observables.jsonl.gz: a checked value,
// once, with the total count, the earliest time and every place it was
// seen (module, input, artifact), each with its own count.
type ObservableLine struct {
	Type      match.Type `json:"type"`
	Value     string     `json:"value"`
	Count     int        `json:"count"`
	FirstSeen time.Time  `json:"first_seen,omitzero"`
	Seen      []Sighting `json:"seen"`
}

// Sighting is where one value was seen.
type Sighting struct {
	Module    string    `json:"module"`
	Input     string    `json:"input,omitempty"`
	Artifact  string    `json:"artifact"`
	What      string    `json:"what,omitempty"`
	WhatMsg   i18n.Msg  `json:"what_i18n,omitzero"`
	Count     int       `json:"count"`
	FirstSeen time.Time `json:"first_seen,omitzero"`
}

// writeObservables groups the sorted sightings by value, one line each.
// obs must yield records sorted by type and value (a Spool's do; so does a
// list loaded from a result folder).
func writeObservables(w io.Writer, obs Observables) error {
	lw := newLineWriter(w)
	var line ObservableLine
	flush := func() error {
		if len(line.Seen) == 0 {
			return nil
		}
		err := lw.observables(&line)
		line.Seen = line.Seen[:0]
		return err
	}
	err := obs.Each(func(o *ObservableRecord) error {
		if len(line.Seen) == 0 || o.Type != line.Type || o.Value != line.Value {
			if err := flush(); err != nil {
				return err
			}
			line.Type, line.Value, line.Count, line.FirstSeen = o.Type, o.Value, 0, time.Time{}
		}
		line.Count += o.Count
		if !o.FirstSeen.IsZero() && (line.FirstSeen.IsZero() || o.FirstSeen.Before(line.FirstSeen)) {
			line.FirstSeen = o.FirstSeen
		}
		line.Seen = append(line.Seen, Sighting{Module: o.Module, Input: o.Input, Artifact: o.Artifact, What: o.What, WhatMsg: o.WhatMsg, Count: o.Count, FirstSeen: o.FirstSeen})
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}

// records expands a line into one record per sighting.
func (l *ObservableLine) records(fn func(*ObservableRecord) error) error {
	for _, s := range l.Seen {
		o := ObservableRecord{Module: s.Module, Input: s.Input}
		o.Type, o.Value, o.Artifact, o.What, o.WhatMsg, o.Count, o.FirstSeen = l.Type, l.Value, s.Artifact, s.What, s.WhatMsg, s.Count, s.FirstSeen
		if err := fn(&o); err != nil {
			return err
		}
	}
	return nil
}
