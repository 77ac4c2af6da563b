package androiddata

import (
	"context"
	"strings"
	"testing"

	"github.com/spyscan/spyscan/internal/android/dumpsys"
	"github.com/spyscan/spyscan/internal/indicators"
)

func TestPlantedValuesMatchSnapshot(t *testing.T) {
	set, err := indicators.Load(context.Background(), indicators.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ix := set.Index()
	hits := map[string]int{
		"app id " + StalkerAppID:       len(ix.AppID(StalkerAppID)),
		"cert " + StalkerCertSHA1:      len(ix.AppCert(StalkerCertSHA1)),
		"apk " + StalkerAPKSHA256:      len(ix.FileHash(StalkerAPKSHA256)),
		"property " + CampaignProperty: len(ix.AndroidProperty(CampaignProperty)),
		"path " + CampaignPath:         len(ix.Path(CampaignPath)),
		"domain " + PegasusDomain:      len(ix.Domain(PegasusDomain)),
		"files.json hash":              len(ix.FileHash("d07c495d093b60de69e0f612a0d3bd75144532e377153b1c1b9128092e9d4f93")),
	}
	for k, n := range hits {
		if n == 0 {
			t.Errorf("planted %s does not match the embedded snapshot", k)
		}
	}
	misses := map[string]int{
		"app id " + LookalikeAppID:      len(ix.AppID(LookalikeAppID)),
		"property " + LookalikeProperty: len(ix.AndroidProperty(LookalikeProperty)),
		"path " + LookalikePath:         len(ix.Path(LookalikePath)),
		"domain " + LookalikeDomain:     len(ix.Domain(LookalikeDomain)),
	}
	for k, n := range misses {
		if n != 0 {
			t.Errorf("look-alike %s matches an indicator", k)
		}
	}
}

func TestDumpstateSections(t *testing.T) {
	want := map[string]bool{"SYSTEM PROPERTIES": false, "accessibility": false, "adb": false, "appops": false,
		"batterystats": false, "dbinfo": false, "package": false, "platform_compat": false}
	for _, text := range [][]byte{Dumpstate(Options{}), DumpsysQF(Options{})} {
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

func TestSizes(t *testing.T) {
	d := Dumpstate(Options{DumpstateSize: 2 << 20})
	if len(d) < 2<<20 {
		t.Errorf("dumpstate %d bytes", len(d))
	}
	qf := AndroidQF(Options{Packages: 50, Files: 100})
	if n := strings.Count(string(qf["packages.json"]), `"name"`); n < 50 {
		t.Errorf("packages.json has %d packages", n)
	}
	if n := strings.Count(string(qf["files.json"]), `"path"`); n != 105 {
		t.Errorf("files.json has %d files", n)
	}
}
