package testgen_test

import (
	"context"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/dumpsys"
	"github.com/spyscan/spyscan/internal/indicators"
	"github.com/spyscan/spyscan/internal/testgen/androiddata"
)

func TestAndroidDataPlantedValuesMatchSnapshot(t *testing.T) {
	set, err := indicators.Load(context.Background(), indicators.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := set.Index()
	hits := map[string]int{
		"app id " + androiddata.StalkerAppID:       len(ix.AppID(androiddata.StalkerAppID)),
		"cert " + androiddata.StalkerCertSHA1:      len(ix.AppCert(androiddata.StalkerCertSHA1)),
		"apk " + androiddata.StalkerAPKSHA256:      len(ix.FileHash(androiddata.StalkerAPKSHA256)),
		"property " + androiddata.CampaignProperty: len(ix.AndroidProperty(androiddata.CampaignProperty)),
		"path " + androiddata.CampaignPath:         len(ix.Path(androiddata.CampaignPath)),
		"domain " + androiddata.PegasusDomain:      len(ix.Domain(androiddata.PegasusDomain)),
		"files.json hash":                          len(ix.FileHash("d07c495d093b60de69e0f612a0d3bd75144532e377153b1c1b9128092e9d4f93")),
	}
	for k, n := range hits {
		if n == 0 {
			t.Errorf("planted %s does not match the embedded snapshot", k)
		}
	}
	misses := map[string]int{
		"app id " + androiddata.LookalikeAppID:      len(ix.AppID(androiddata.LookalikeAppID)),
		"property " + androiddata.LookalikeProperty: len(ix.AndroidProperty(androiddata.LookalikeProperty)),
		"path " + androiddata.LookalikePath:         len(ix.Path(androiddata.LookalikePath)),
		"domain " + androiddata.LookalikeDomain:     len(ix.Domain(androiddata.LookalikeDomain)),
	}
	for k, n := range misses {
		if n != 0 {
			t.Errorf("look-alike %s matches an indicator", k)
		}
	}
}

func TestAndroidDataDumpstateSections(t *testing.T) {
	want := map[string]bool{"SYSTEM PROPERTIES": false, "accessibility": false, "adb": false, "appops": false,
		"batterystats": false, "dbinfo": false, "package": false, "platform_compat": false}
	for _, text := range [][]byte{androiddata.Dumpstate(androiddata.Options{}), androiddata.DumpsysQF(androiddata.Options{})} {
		for k := range want {
			want[k] = false
		}
		_, err := dumpsys.Split(context.Background(), strings.NewReader(string(text)), dumpsys.Visitor{End: func(s *dumpsys.Section) error {
			if s.Truncated || !s.Ended {
				t.Errorf("section %s not closed properly", s.Name)
			}
			if _, ok := want[s.Name]; ok {
				want[s.Name] = true
			}
			return nil
		}})
		if err != nil {
			t.Fatal(err)
		}
		for k, ok := range want {
			if !ok && !(k == "SYSTEM PROPERTIES" && !strings.Contains(string(text), "dumpstate:")) {
				t.Errorf("section %s missing", k)
			}
		}
	}
}

func TestAndroidDataSizes(t *testing.T) {
	d := androiddata.Dumpstate(androiddata.Options{DumpstateSize: 2 << 20})
	if len(d) < 2<<20 {
		t.Errorf("dumpstate %d bytes", len(d))
	}
	qf := androiddata.AndroidQF(androiddata.Options{Packages: 50, Files: 100})
	if n := strings.Count(string(qf["packages.json"]), `"name"`); n < 50 {
		t.Errorf("packages.json has %d packages", n)
	}
	if n := strings.Count(string(qf["files.json"]), `"path"`); n != 105 {
		t.Errorf("files.json has %d files", n)
	}
}
