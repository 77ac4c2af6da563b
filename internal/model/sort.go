package model

import (
	"bytes"
	"cmp"
	"sort"
)

// SortAlerts orders alerts by level (most severe first), time, module,
// artifact and message, so output does not depend on goroutine order.
func SortAlerts(as []Alert) {
	sort.SliceStable(as, func(i, j int) bool {
		a, b := &as[i], &as[j]
		if a.Level != b.Level {
			return a.Level > b.Level
		}
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Input != b.Input {
			return a.Input < b.Input
		}
		if a.Module != b.Module {
			return a.Module < b.Module
		}
		if a.Artifact != b.Artifact {
			return a.Artifact < b.Artifact
		}
		if a.Message != b.Message {
			return a.Message < b.Message
		}
		return bytes.Compare(a.Record, b.Record) < 0
	})
}

// SortEvents orders timeline events with CompareEvents.
func SortEvents(es []Event) {
	sort.SliceStable(es, func(i, j int) bool { return CompareEvents(&es[i], &es[j]) < 0 })
}

// CompareEvents orders timeline events by time, then input, module, event,
// description, artifact and alert level: a total order on what an event
// says, so that a merged timeline does not depend on goroutine order.
func CompareEvents(a, b *Event) int {
	if c := a.Time.Compare(b.Time); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Input, b.Input); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Module, b.Module); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Event, b.Event); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Description, b.Description); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Artifact, b.Artifact); c != 0 {
		return c
	}
	return cmp.Compare(levelRank(a.Level), levelRank(b.Level))
}

func levelRank(l *Level) int {
	if l == nil {
		return -1
	}
	return int(*l)
}
