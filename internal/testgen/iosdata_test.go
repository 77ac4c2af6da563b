package testgen_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

// The planted values must hit the embedded indicators and the look-alikes
// must not, or the module tests would assert the wrong thing.
func TestIOSDataPlantedValues(t *testing.T) {
	set, err := indicators.Load(context.Background(), indicators.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := set.Index()
	hits := map[string]int{
		"domain " + iosdata.PegasusDomain:    len(ix.Domain(iosdata.PegasusDomain)),
		"domain " + iosdata.PegasusSubdomain: len(ix.Domain(iosdata.PegasusSubdomain)),
		"domain " + iosdata.QuaDreamDomain:   len(ix.Domain(iosdata.QuaDreamDomain)),
		"process " + iosdata.PegasusProcess:  len(ix.Process(iosdata.PegasusProcess)),
		"process " + iosdata.PegasusProcess2: len(ix.Process(iosdata.PegasusProcess2)),
		"email " + iosdata.TriangulationMail: len(ix.Email(iosdata.TriangulationMail)),
		"app " + iosdata.StalkerwareAppID:    len(ix.AppID(iosdata.StalkerwareAppID)),
	}
	for k, n := range hits {
		if n == 0 {
			t.Errorf("%s: no indicator", k)
		}
	}
	misses := map[string]int{
		"domain " + iosdata.LookalikeDomain:  len(ix.Domain(iosdata.LookalikeDomain)),
		"domain " + iosdata.LookalikeDomain2: len(ix.Domain(iosdata.LookalikeDomain2)),
		"process " + iosdata.CleanProcess:    len(ix.Process(iosdata.CleanProcess)),
		"process bhd":                        len(ix.Process("bhd")),
		"email " + iosdata.LookalikeMail:     len(ix.Email(iosdata.LookalikeMail)),
		"app " + iosdata.CleanAppID:          len(ix.AppID(iosdata.CleanAppID)),
	}
	for k, n := range misses {
		if n != 0 {
			t.Errorf("%s: look-alike matches an indicator", k)
		}
	}
}

func TestIOSDataAllDeterministic(t *testing.T) {
	a, b := iosdata.All(10), iosdata.All(10)
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
