package testgen_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/testgen/iosdata"
)

func TestIOSDataSystemPlantedValuesMatchSnapshot(t *testing.T) {
	set, err := indicators.Load(context.Background(), indicators.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := set.Index()
	for what, n := range map[string]int{
		"domain " + iosdata.PegasusDomain:                len(ix.Domain(iosdata.PegasusDomain)),
		"domain " + iosdata.PegasusSubdomain2:            len(ix.Domain(iosdata.PegasusSubdomain2)),
		"process " + iosdata.PegasusProcess:              len(ix.Process(iosdata.PegasusProcess)),
		"process " + iosdata.PegasusProcess2:             len(ix.Process(iosdata.PegasusProcess2)),
		"process " + iosdata.PegasusBundleProcess:        len(ix.Process(iosdata.PegasusBundleProcess)),
		"email " + iosdata.PegasusEmail:                  len(ix.Email(iosdata.PegasusEmail)),
		"executable " + iosdata.PegasusStagingExecutable: len(ix.Process(iosdata.PegasusStagingExecutable)),
	} {
		if n == 0 {
			t.Errorf("planted %s does not match the embedded snapshot", what)
		}
	}
	for what, n := range map[string]int{
		"domain " + iosdata.LookalikeDomain:   len(ix.Domain(iosdata.LookalikeDomain)),
		"process " + iosdata.LookalikeProcess: len(ix.Process(iosdata.LookalikeProcess)),
		"app id " + iosdata.LookalikeBundleID: len(ix.AppID(iosdata.LookalikeBundleID)) + len(ix.Process(iosdata.LookalikeBundleID)),
		"email " + iosdata.LookalikeEmail:     len(ix.Email(iosdata.LookalikeEmail)),
		"process bhd":                         len(ix.Process("bhd")),
	} {
		if n != 0 {
			t.Errorf("look-alike %s matches an indicator", what)
		}
	}
}

func TestIOSDataSystemDeterministic(t *testing.T) {
	ctx := context.Background()
	a, err := iosdata.System(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := iosdata.System(ctx)
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
