package iosdata

import (
	"bytes"
	"context"
	"testing"

	"github.com/spyscan/spyscan/internal/indicators"
)

// The planted values must hit the embedded indicators and the look-alikes
// must not, or the module tests would assert the wrong thing.
func TestPlantedValues(t *testing.T) {
	set, err := indicators.Load(context.Background(), indicators.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := set.Index()
	hits := map[string]int{
		"domain " + PegasusDomain:    len(ix.Domain(PegasusDomain)),
		"domain " + PegasusSubdomain: len(ix.Domain(PegasusSubdomain)),
		"domain " + QuaDreamDomain:   len(ix.Domain(QuaDreamDomain)),
		"process " + PegasusProcess:  len(ix.Process(PegasusProcess)),
		"process " + PegasusProcess2: len(ix.Process(PegasusProcess2)),
		"email " + TriangulationMail: len(ix.Email(TriangulationMail)),
		"app " + StalkerwareAppID:    len(ix.AppID(StalkerwareAppID)),
	}
	for k, n := range hits {
		if n == 0 {
			t.Errorf("%s: no indicator", k)
		}
	}
	misses := map[string]int{
		"domain " + LookalikeDomain:  len(ix.Domain(LookalikeDomain)),
		"domain " + LookalikeDomain2: len(ix.Domain(LookalikeDomain2)),
		"process " + CleanProcess:    len(ix.Process(CleanProcess)),
		"process bhd":                len(ix.Process("bhd")),
		"email " + LookalikeMail:     len(ix.Email(LookalikeMail)),
		"app " + CleanAppID:          len(ix.AppID(CleanAppID)),
	}
	for k, n := range misses {
		if n != 0 {
			t.Errorf("%s: look-alike matches an indicator", k)
		}
	}
}

func TestAllDeterministic(t *testing.T) {
	a, b := All(10), All(10)
	if len(a) != len(b) || len(a) < 20 {
		t.Fatalf("%d vs %d files", len(a), len(b))
	}
	paths := map[string]bool{}
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s: differs between two runs", a[i].Path)
		}
		if a[i].Path != "" && paths[a[i].Path] {
			t.Errorf("%s: twice", a[i].Path)
		}
		paths[a[i].Path] = true
		if a[i].Domain == "" && a[i].Path == "" {
			t.Errorf("file %d has no location", i)
		}
	}
}
