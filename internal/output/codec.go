package output

import (
	"cmp"
	"time"

	"github.com/spyscan/spyscan/internal/i18n"
	"github.com/spyscan/spyscan/internal/match"
	"github.com/spyscan/spyscan/internal/model"
	"github.com/spyscan/spyscan/internal/module"
	"github.com/spyscan/spyscan/internal/spill"
)

// Spill budgets: the bytes of timeline events and of observables a scan
// holds in memory before writing a sorted run to its temporary folder.
const (
	eventBudget      = 8 << 20
	observableBudget = 8 << 20
)

// eventCodec is the compact form of a timeline event in the spill runs.
var eventCodec = spill.Codec[model.Event]{
	Append: func(dst []byte, e *model.Event) []byte {
		dst = appendTime(dst, e.Time)
		lvl := int64(-1)
		if e.Level != nil {
			lvl = int64(*e.Level)
		}
		dst = spill.AppendInt(dst, lvl)
		for _, s := range [...]string{e.Module, e.Event, e.Description, e.Artifact, e.Input} {
			dst = spill.AppendString(dst, s)
		}
		return appendMsg(dst, e.DescriptionMsg)
	},
	Decode: func(src []byte, e *model.Event) error {
		d := spill.NewDecoder(src)
		e.Time = readTime(d)
		if l := d.Int(); l >= 0 {
			lvl := model.Level(l)
			e.Level = &lvl
		}
		e.Module, e.Event, e.Description, e.Artifact, e.Input = d.String(), d.String(), d.String(), d.String(), d.String()
		if err := readMsg(d, &e.DescriptionMsg); err != nil {
			return err
		}
		return d.Err()
	},
	Compare: model.CompareEvents,
	Size: func(e *model.Event) int {
		return 112 + len(e.Module) + len(e.Event) + len(e.Description) + len(e.Artifact) + len(e.Input)
	},
}

// observableCodec is the compact form of an observable in the spill runs.
var observableCodec = spill.Codec[ObservableRecord]{
	Append: func(dst []byte, o *ObservableRecord) []byte {
		dst = appendTime(dst, o.FirstSeen)
		dst = spill.AppendInt(dst, int64(o.Count))
		for _, s := range [...]string{string(o.Type), o.Value, o.Input, o.Module, o.Artifact, o.What} {
			dst = spill.AppendString(dst, s)
		}
		return appendMsg(dst, o.WhatMsg)
	},
	Decode: func(src []byte, o *ObservableRecord) error {
		d := spill.NewDecoder(src)
		o.FirstSeen = readTime(d)
		o.Count = int(d.Int())
		o.Type = match.Type(d.String())
		o.Value, o.Input, o.Module, o.Artifact, o.What = d.String(), d.String(), d.String(), d.String(), d.String()
		if err := readMsg(d, &o.WhatMsg); err != nil {
			return err
		}
		return d.Err()
	},
	Compare: compareObservables,
	Size: func(o *ObservableRecord) int {
		return 128 + len(o.Type) + len(o.Value) + len(o.Input) + len(o.Module) + len(o.Artifact) + len(o.What)
	},
}

// compareObservables orders observables by type and value (so that one
// value's sightings are adjacent), then where they were seen.
func compareObservables(a, b *ObservableRecord) int {
	if c := cmp.Compare(a.Type, b.Type); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Value, b.Value); c != 0 {
		return c
	}
	return compareSighting(a, b)
}

func compareSighting(a, b *ObservableRecord) int {
	if c := cmp.Compare(a.Input, b.Input); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Module, b.Module); c != 0 {
		return c
	}
	return cmp.Compare(a.Artifact, b.Artifact)
}

// appendTime writes a time as a flag (0 for the zero time), then Unix
// seconds and nanoseconds.
func appendTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return spill.AppendInt(dst, 0)
	}
	dst = spill.AppendInt(dst, 1)
	dst = spill.AppendInt(dst, t.Unix())
	return spill.AppendInt(dst, int64(t.Nanosecond()))
}

func readTime(d *spill.Decoder) time.Time {
	if d.Int() == 0 {
		return time.Time{}
	}
	sec := d.Int()
	return time.Unix(sec, d.Int()).UTC()
}

// appendMsg writes a catalog message as its JSON ("" when zero).
func appendMsg(dst []byte, m i18n.Msg) []byte {
	if m.IsZero() {
		return spill.AppendString(dst, "")
	}
	b, _ := m.MarshalJSON() // a Msg always encodes
	return spill.AppendString(dst, string(b))
}

func readMsg(d *spill.Decoder, m *i18n.Msg) error {
	if s := d.String(); s != "" {
		return m.UnmarshalJSON([]byte(s))
	}
	return nil
}

// sightingOf turns a recorder's observable into a record of where it was seen.
func sightingOf(o module.Observable, mod, input string) ObservableRecord {
	return ObservableRecord{Module: mod, Input: input, Observable: o}
}
