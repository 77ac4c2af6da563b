package html

import (
	"fmt"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/model"
)

// TestCopyTimes: an event is a copy time when it falls within a second of
// the time of the input file it names (directly or under the input's
// root), for that input only; of two listings of one file the last wins;
// among thousands of files.
func TestCopyTimes(t *testing.T) {
	at := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	a := model.Input{Path: "/cases/a", Meta: map[string]string{"root": "top"}}
	for i := range 5000 {
		a.Files = append(a.Files, model.InputFile{Path: fmt.Sprintf("top/f%04d", i), ModTime: at.Add(time.Duration(i) * time.Minute)})
	}
	a.Files = append(a.Files, model.InputFile{Path: "top/f0007", ModTime: at.Add(-time.Hour)}) // listed again: this time wins
	a.Files = append(a.Files, model.InputFile{Path: "top/rooted.db", ModTime: at.Add(-2 * time.Hour)})
	b := model.Input{Path: "/cases/b", Files: []model.InputFile{{Path: "x", ModTime: at}, {Path: "no-time"}}}
	cases := []struct {
		e    model.Event
		want bool
	}{
		{model.Event{Input: "/cases/a", Artifact: "top/f0003", Time: at.Add(3*time.Minute + 500*time.Millisecond)}, true},
		{model.Event{Input: "/cases/a", Artifact: "f0003", Time: at.Add(3 * time.Minute)}, true}, // under the root
		{model.Event{Input: "/cases/a", Artifact: "top/f0003", Time: at.Add(3*time.Minute + time.Second)}, false},
		{model.Event{Input: "/cases/a", Artifact: "rooted.db", Time: at.Add(-2 * time.Hour)}, true}, // named only under the root
		{model.Event{Input: "/cases/a", Artifact: "top/f0007", Time: at.Add(7 * time.Minute)}, false},
		{model.Event{Input: "/cases/a", Artifact: "top/f0007", Time: at.Add(-time.Hour)}, true},
		{model.Event{Input: "/cases/b", Artifact: "top/f0003", Time: at.Add(3 * time.Minute)}, false}, // another input's file
		{model.Event{Input: "/cases/b", Artifact: "x", Time: at}, true},
		{model.Event{Input: "/cases/b", Artifact: "no-time", Time: time.Time{}}, false},
		{model.Event{Input: "/cases/a", Artifact: "top/f5000", Time: at.Add(5000 * time.Minute)}, false},
	}
	var events model.Events
	for _, c := range cases {
		events = append(events, c.e)
	}
	// Every file is looked at, or only those the timeline's events name
	// (as a scan's spool tells): the answers are the same.
	for _, tl := range []model.Timeline{events, namingTimeline{events}} {
		r := &model.Report{Info: model.ScanInfo{Inputs: []model.Input{a, b}}, Timeline: tl}
		copied := copyTimes(r)
		for _, c := range cases {
			if got := copied(&c.e); got != c.want {
				t.Errorf("%T: %s %s at %s: copied %v, want %v", tl, c.e.Input, c.e.Artifact, c.e.Time, got, c.want)
			}
		}
	}
}

// namingTimeline lists the artifacts of its events, as the spool does.
type namingTimeline struct{ model.Events }

func (n namingTimeline) EachArtifact(fn func(input, artifact string)) {
	seen := map[[2]string]bool{}
	for _, e := range n.Events {
		if k := [2]string{e.Input, e.Artifact}; !seen[k] {
			seen[k] = true
			fn(e.Input, e.Artifact)
		}
	}
}
