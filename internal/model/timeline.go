package model

// Timeline is the merged, sorted timeline of a report. A scan's timeline
// can hold millions of events, so it usually lives on disk and is read
// again, in order, by each call of Each; Events is the in-memory form.
type Timeline interface {
	// Len is the number of events.
	Len() int
	// Each calls fn with every event in order; the event is only valid
	// during the call. It stops at fn's first error and returns it.
	Each(fn func(*Event) error) error
}

// ArtifactTimeline is a Timeline that also lists the artifacts its events
// name, without reading the events.
type ArtifactTimeline interface {
	Timeline
	// EachArtifact calls fn once with each distinct (input, artifact) pair
	// of the events (input is "" in a single-input scan, as Event.Input).
	EachArtifact(fn func(input, artifact string))
}

// Events is a Timeline held in memory.
type Events []Event

// Len is the number of events.
func (es Events) Len() int { return len(es) }

// Each calls fn with every event in order.
func (es Events) Each(fn func(*Event) error) error {
	for i := range es {
		if err := fn(&es[i]); err != nil {
			return err
		}
	}
	return nil
}

// EventCount is the number of events of r's timeline (0 when it has none).
func (r *Report) EventCount() int {
	if r.Timeline == nil {
		return 0
	}
	return r.Timeline.Len()
}

// EachEvent calls fn with every event of r's timeline, in order.
func (r *Report) EachEvent(fn func(*Event) error) error {
	if r.Timeline == nil {
		return nil
	}
	return r.Timeline.Each(fn)
}
