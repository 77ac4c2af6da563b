package iossys_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/testgen/iossys"
)

func TestPlantedValuesMatchSnapshot(t *testing.T) {
	set, err := indicators.Load(context.Background(), indicators.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := set.Index()
	for what, n := range map[string]int{
		"domain " + iossys.PegasusDomain:                len(ix.Domain(iossys.PegasusDomain)),
		"domain " + iossys.PegasusSubdomain:             len(ix.Domain(iossys.PegasusSubdomain)),
		"process " + iossys.PegasusProcess:              len(ix.Process(iossys.PegasusProcess)),
		"process " + iossys.PegasusProcess2:             len(ix.Process(iossys.PegasusProcess2)),
		"process " + iossys.PegasusBundleProcess:        len(ix.Process(iossys.PegasusBundleProcess)),
		"email " + iossys.PegasusEmail:                  len(ix.Email(iossys.PegasusEmail)),
		"executable " + iossys.PegasusStagingExecutable: len(ix.Process(iossys.PegasusStagingExecutable)),
	} {
		if n == 0 {
			t.Errorf("planted %s does not match the embedded snapshot", what)
		}
	}
	for what, n := range map[string]int{
		"domain " + iossys.LookalikeDomain:   len(ix.Domain(iossys.LookalikeDomain)),
		"process " + iossys.LookalikeProcess: len(ix.Process(iossys.LookalikeProcess)),
		"app id " + iossys.LookalikeBundleID: len(ix.AppID(iossys.LookalikeBundleID)) + len(ix.Process(iossys.LookalikeBundleID)),
		"email " + iossys.LookalikeEmail:     len(ix.Email(iossys.LookalikeEmail)),
		"process bhd":                        len(ix.Process("bhd")),
	} {
		if n != 0 {
			t.Errorf("look-alike %s matches an indicator", what)
		}
	}
}

func TestDeterministic(t *testing.T) {
	ctx := context.Background()
	a, err := iossys.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := iossys.All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) || len(a) < 20 {
		t.Fatalf("%d and %d files", len(a), len(b))
	}
	for i := range a {
		if a[i].Path != b[i].Path || a[i].Domain != b[i].Domain || a[i].RelativePath != b[i].RelativePath || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("file %d (%s%s) differs between two runs", i, a[i].Path, a[i].RelativePath)
		}
		if a[i].Path == "" && a[i].RelativePath == "" {
			t.Errorf("file %d has no location", i)
		}
	}
}
