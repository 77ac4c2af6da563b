package model

import (
	"bytes"
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

// SortEvents orders timeline events by time, then module, event, description.
func SortEvents(es []Event) {
	sort.SliceStable(es, func(i, j int) bool {
		a, b := &es[i], &es[j]
		if !a.Time.Equal(b.Time) {
			return a.Time.Before(b.Time)
		}
		if a.Input != b.Input {
			return a.Input < b.Input
		}
		if a.Module != b.Module {
			return a.Module < b.Module
		}
		if a.Event != b.Event {
			return a.Event < b.Event
		}
		return a.Description < b.Description
	})
}
