package output

import (
	"slices"
	"testing"
	"time"

	"github.com/spyscan/spyscan/internal/model"
)

// TestSpoolListsArtifacts: the spool's timeline names each distinct input
// and artifact of its events once (what the report's copy times look up),
// across modules and inputs.
func TestSpoolListsArtifacts(t *testing.T) {
	s, err := NewSpool(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	add := func(mod, input string, artifacts ...string) {
		sinks := s.Sinks(mod, input)
		for i, a := range artifacts {
			if err := sinks.Events(model.Event{Time: time.Unix(int64(i), 0), Module: mod, Event: "e", Artifact: a}); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("sms", "", "sms.db", "sms.db", "sms.db")
	add("manifest", "", "Manifest.db", "sms.db")
	add("sms", "/cases/b", "sms.db", "")
	at, ok := s.Timeline().(model.ArtifactTimeline)
	if !ok {
		t.Fatalf("the spool's timeline %T lists no artifacts", s.Timeline())
	}
	var got []string
	at.EachArtifact(func(input, artifact string) { got = append(got, input+"|"+artifact) })
	slices.Sort(got)
	want := []string{"/cases/b|", "/cases/b|sms.db", "|Manifest.db", "|sms.db"}
	if !slices.Equal(got, want) {
		t.Errorf("artifacts %q, want %q", got, want)
	}
	if n := s.Timeline().Len(); n != 7 {
		t.Errorf("Len %d, want 7", n)
	}
}
